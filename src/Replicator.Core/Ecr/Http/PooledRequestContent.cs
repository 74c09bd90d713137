namespace Replicator.Core.Ecr.Http;

/// <summary>
/// A request body served straight from a pooled buffer (no copy); the buffer goes back to the pool when no send
/// still reads it (<see cref="RetainedContent"/>).
/// </summary>
internal sealed class PooledRequestContent(PooledBufferWriter body, string mediaType) : RetainedContent(mediaType)
{
    protected override long BodyLength => body.WrittenCount;

    protected override ValueTask WriteBodyAsync(Stream stream, CancellationToken cancellationToken) =>
        WriteBlocksAsync(stream, body.WrittenMemory, cancellationToken);

    protected override void WriteBody(Stream stream) => stream.Write(body.WrittenSpan);

    protected override void Free() => body.Dispose();
}
