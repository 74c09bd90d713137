using System.Net;
using System.Net.Http.Headers;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// An UploadLayerPart body sent as two pieces without joining them: the shared, already encoded part
/// (<see cref="IEncodedLayerPart.Head"/>) and this destination's own members (<c>,"registryId":...}</c>). The part
/// is retained until the content is disposed and no send still reads it (SocketsHttpHandler can keep writing a
/// body after the response arrived, as <see cref="PooledRequestContent"/> explains).
/// </summary>
internal sealed class EncodedPartContent : HttpContent
{
    private readonly IEncodedLayerPart _part;
    private readonly PooledBufferWriter _tail;
    private int _references = 1;
    private int _disposed;

    public EncodedPartContent(IEncodedLayerPart part, PooledBufferWriter tail, string mediaType)
    {
        _part = part;
        _tail = tail;
        part.Retain();
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            await stream.WriteAsync(_part.Head, cancellationToken);
            await stream.WriteAsync(_tail.WrittenMemory, cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            stream.Write(_part.Head.Span);
            stream.Write(_tail.WrittenSpan);
        }
        finally
        {
            Release();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _part.Head.Length + _tail.WrittenCount;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }

        base.Dispose(disposing);
    }

    private void Acquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                throw new ObjectDisposedException(nameof(EncodedPartContent));
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return;
            }
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _tail.Dispose();
            _part.Release();
        }
    }
}
