namespace Replicator.Core.Ecr.Http;

/// <summary>
/// An UploadLayerPart body sent as two pieces without joining them: the shared, already encoded part
/// (<see cref="IEncodedLayerPart.Head"/>) and this destination's own members (<c>,"registryId":...}</c>). The part
/// is retained until no send still reads it (<see cref="RetainedContent"/>).
/// </summary>
internal sealed class EncodedPartContent : RetainedContent
{
    private readonly IEncodedLayerPart _part;
    private readonly PooledBufferWriter _tail;

    public EncodedPartContent(IEncodedLayerPart part, PooledBufferWriter tail, string mediaType)
        : base(mediaType)
    {
        _part = part;
        _tail = tail;
        part.Retain();
    }

    protected override long BodyLength => _part.Head.Length + _tail.WrittenCount;

    protected override async ValueTask WriteBodyAsync(Stream stream, CancellationToken cancellationToken)
    {
        await WriteBlocksAsync(stream, _part.Head, cancellationToken);
        await WriteBlocksAsync(stream, _tail.WrittenMemory, cancellationToken);
    }

    protected override void WriteBody(Stream stream)
    {
        stream.Write(_part.Head.Span);
        stream.Write(_tail.WrittenSpan);
    }

    protected override void Free()
    {
        _tail.Dispose();
        _part.Release();
    }
}
