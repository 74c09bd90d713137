using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Serialization;
using Replicator.Core.Tests.Support;

namespace Replicator.Core.Tests.Ecr;

/// <summary>A hostile or broken endpoint cannot make the client buffer an unbounded successful answer.</summary>
public sealed class EcrResponseCapTests
{
    private static readonly BatchGetImageRequest Get = new() { RepositoryName = "app", ImageIds = [new() { ImageTag = "v1" }] };

    [Fact]
    public async Task A_declared_length_over_the_cap_is_refused_before_reading()
    {
        var body = new EndlessJsonStream();
        var handler = new RecordingHandler().Respond(() =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentLength = EcrResponseReader.MaxResponseBytes + 1;
            return response;
        });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).BatchGetImageAsync(Get));

        Assert.Equal(EcrErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public async Task An_endless_body_is_cut_at_the_cap()
    {
        var body = new EndlessJsonStream();
        var handler = new RecordingHandler().Respond(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });

        var ex = await Assert.ThrowsAsync<EcrException>(() => TestClients.Create(handler).BatchGetImageAsync(Get));

        Assert.Equal(EcrErrorCodes.InvalidResponse, ex.ErrorCode);
        Assert.InRange(body.Position, EcrResponseReader.MaxResponseBytes, EcrResponseReader.MaxResponseBytes + (1024 * 1024));
    }

    /// <summary>
    /// The cap is the largest body accepted, not the first refused: a body of exactly the cap is read whether its
    /// length is declared (the check before reading) or not (the count while reading), and one byte more is refused
    /// either way. Checked on the shared reader with a small cap, so the boundary costs no 64 MiB body.
    /// </summary>
    [Theory]
    [InlineData(true, 0, false)]
    [InlineData(false, 0, false)]
    [InlineData(true, 1, true)]
    [InlineData(false, 1, true)]
    public async Task A_body_of_exactly_the_cap_is_read_and_one_byte_more_is_refused(bool declared, int over, bool refused)
    {
        var json = """{"images":[],"failures":[]}"""u8.ToArray();
        long cap = json.Length - over;
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new UnseekableStream(json)) };
        response.Content.Headers.ContentLength = declared ? json.Length : null;

        var read = AwsJsonResponseReader.ReadAsync(
            response, EcrJsonContext.Default.BatchGetImageResponse, cap, seen => new InvalidDataException($"over the cap at {seen}"), CancellationToken.None);

        if (refused)
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => read);
        }
        else
        {
            var page = await read;
            Assert.NotNull(page.Images);
            Assert.Empty(page.Images);
        }
    }

    /// <summary>A body of known bytes that cannot seek, so StreamContent declares no length unless the test sets one.</summary>
    private sealed class UnseekableStream(byte[] bytes) : ReadOnlyStream
    {
        private readonly MemoryStream _inner = new(bytes, writable: false);

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
    }

    /// <summary><c>{"images":</c> followed by whitespace forever: valid JSON so far, never finished.</summary>
    private sealed class EndlessJsonStream : ReadOnlyStream
    {
        private static readonly byte[] Prefix = """{"images":"""u8.ToArray();
        private long _position;

        public override long Position => Interlocked.Read(ref _position);

        public override int Read(byte[] buffer, int offset, int count)
        {
            var span = buffer.AsSpan(offset, count);
            for (var i = 0; i < span.Length; i++)
            {
                var at = _position + i;
                span[i] = at < Prefix.Length ? Prefix[at] : (byte)' ';
            }

            Interlocked.Add(ref _position, count);
            return count;
        }
    }
}
