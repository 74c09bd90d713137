using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// The per-call timeout while a large body is sent: a limit on inactivity (each block must go out within it), not on
/// the total, so a 13.3 MiB UploadLayerPart on a slow uplink is not cut for its size; a body that stops moving still
/// times out. The slow uplink is the client's own socket: every block it writes moves the fake clock on by half the
/// timeout. (Moving it as the server reads would race the kernel's socket buffers, which take blocks ahead of the reader.)
/// </summary>
public sealed class EcrClientSendTimeoutTests
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(1);

    // Large writes only: the request head (and the first bytes of the body buffered with it) count as no block.
    private const int BlockWrite = 16 * 1024;

    // Enough bytes for several of the content's blocks (the base64 body is 4/3 of them).
    private const int PartBytes = 8 * RetainedContent.BlockSize;

    private static UploadLayerPartRequest Part() => new()
    {
        RepositoryName = "app",
        UploadId = "u",
        PartFirstByte = 0,
        PartLastByte = PartBytes - 1,
        LayerPartBlob = new byte[PartBytes],
    };

    [Fact]
    public async Task A_body_that_keeps_moving_is_not_cut_for_taking_longer_than_the_timeout()
    {
        await using var server = new LoopbackHttpServer(_ => "{}");
        var clock = new FakeTimeProvider(TestClients.Now);
        var blocks = 0;
        using var client = Client(server, clock, () =>
        {
            blocks++;
            clock.Advance(CallTimeout / 2);
            return false;
        });

        await client.UploadLayerPartAsync(Part());

        Assert.True(clock.GetUtcNow() - TestClients.Now > 4 * CallTimeout, $"{blocks} blocks took {clock.GetUtcNow() - TestClients.Now}");
        Assert.Single(server.Received);
    }

    [Fact]
    public async Task A_body_that_stops_moving_for_the_timeout_is_a_transient_RequestTimeout()
    {
        await using var server = new LoopbackHttpServer(_ => "{}");
        var clock = new FakeTimeProvider(TestClients.Now);
        var blocks = 0;
        using var client = Client(server, clock, () =>
        {
            if (++blocks < 3)
            {
                clock.Advance(CallTimeout / 2);
                return false;
            }

            // The third block stalls: the link goes quiet for the whole timeout, and the write waits until the
            // client gives up on it.
            clock.Advance(CallTimeout);
            return true;
        });

        var ex = await Assert.ThrowsAsync<EcrException>(() => client.UploadLayerPartAsync(Part()));

        Assert.Equal(EcrErrorCodes.RequestTimeout, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(3, blocks);
        Assert.Empty(server.Received);
    }

    /// <summary>
    /// Once the last block is out, the whole timeout is left for the answer: the timer runs again from the end of the
    /// body, not from the start of the last block (whose sending time would otherwise be taken from the answer's).
    /// </summary>
    [Fact]
    public async Task The_whole_timeout_runs_again_from_the_end_of_the_body()
    {
        var clock = new FakeTimeProvider(TestClients.Now);
        using var timer = new StallTimer(CallTimeout, clock, CancellationToken.None);
        using var content = new PooledRequestContent(EcrRequestBody.SerializeUploadLayerPart(Part()), "application/x-amz-json-1.1") { Deadline = timer };

        // Each block takes three quarters of the timeout to go out.
        using var link = new ClockedSink(clock, CallTimeout * 3 / 4);
        await content.CopyToAsync(link, CancellationToken.None);
        Assert.False(timer.Token.IsCancellationRequested);

        clock.Advance(CallTimeout * 3 / 4);
        Assert.False(timer.Token.IsCancellationRequested);
        clock.Advance(CallTimeout / 4);
        Assert.True(timer.Token.IsCancellationRequested);
    }

    private static HttpClientOwner Client(LoopbackHttpServer server, FakeTimeProvider clock, Func<bool> onBlock)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new SlowUplink(new NetworkStream(socket, ownsSocket: true), onBlock);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        var config = new EcrClientConfig("eu-west-1") { ServiceUrl = server.Url, Timeout = CallTimeout };
        return new HttpClientOwner(http, new EcrClient(http, new StaticCredentialsSource(TestClients.SessionCredentials), config, clock));
    }

    private sealed class HttpClientOwner(HttpClient http, EcrClient client) : IDisposable
    {
        public Task<UploadLayerPartResponse> UploadLayerPartAsync(UploadLayerPartRequest request) => client.UploadLayerPartAsync(request);

        public void Dispose() => http.Dispose();
    }

    /// <summary>A sink whose every write takes <c>perWrite</c> on the fake clock.</summary>
    private sealed class ClockedSink(FakeTimeProvider clock, TimeSpan perWrite) : MemoryStream
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            clock.Advance(perWrite);
            return base.WriteAsync(buffer, cancellationToken);
        }
    }

    /// <summary>
    /// The client's side of the connection; each large write is first handed to <c>onBlock</c>, and when it answers
    /// true the write hangs until the client cancels it or closes the connection (how SocketsHttpHandler cancels).
    /// </summary>
    private sealed class SlowUplink(NetworkStream inner, Func<bool> onBlock) : Stream
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.Length >= BlockWrite && onBlock())
            {
                using (cancellationToken.Register(() => _closed.TrySetResult()))
                {
                    await _closed.Task;
                }

                throw new IOException("the stalled write was abandoned");
            }

            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("the handler writes asynchronously");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _closed.TrySetResult();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
