using Replicator.Core.Ecr.Http;

namespace Replicator.Core.Tests.Ecr.Http;

/// <summary>
/// A request body whose buffers are held until no send reads them. Once the last reference went, the buffers are back
/// in their pools (a shared part may already hold the next part's bytes), so a send that starts then must be refused,
/// not served from them: HttpContent checks its own disposal before it serializes, but a disposal on another thread can
/// come between that check and the send.
/// </summary>
public sealed class RetainedContentTests
{
    [Fact]
    public async Task A_body_whose_last_reference_went_is_never_written_from_its_freed_buffers()
    {
        var content = new CountingContent();
        content.Dispose();
        Assert.Equal(1, content.Freed);

        using var sent = new MemoryStream();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => content.SendAsync(sent));
        Assert.Throws<ObjectDisposedException>(() => content.Send(sent));

        Assert.Equal(0, content.Written);
        Assert.Equal(1, content.Freed);
    }

    private sealed class CountingContent() : RetainedContent("application/x-amz-json-1.1")
    {
        public int Written { get; private set; }

        public int Freed { get; private set; }

        protected override long BodyLength => 0;

        /// <summary>A send as SocketsHttpHandler makes it, reaching the body after HttpContent's own disposal check.</summary>
        public Task SendAsync(Stream stream) => SerializeToStreamAsync(stream, null, CancellationToken.None);

        public void Send(Stream stream) => SerializeToStream(stream, null, CancellationToken.None);

        protected override ValueTask WriteBodyAsync(Stream stream, CancellationToken cancellationToken)
        {
            Written++;
            return ValueTask.CompletedTask;
        }

        protected override void WriteBody(Stream stream) => Written++;

        protected override void Free() => Freed++;
    }
}
