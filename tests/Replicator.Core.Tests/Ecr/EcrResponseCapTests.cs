using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Http;
using Replicator.Core.Ecr.Model;

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

    /// <summary><c>{"images":</c> followed by whitespace forever: valid JSON so far, never finished.</summary>
    private sealed class EndlessJsonStream : Stream
    {
        private static readonly byte[] Prefix = """{"images":"""u8.ToArray();
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => Interlocked.Read(ref _position);
            set => throw new NotSupportedException();
        }

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

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
