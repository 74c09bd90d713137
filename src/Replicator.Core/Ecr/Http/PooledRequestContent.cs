using System.Net;
using System.Net.Http.Headers;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// A request body served straight from a pooled buffer (no copy). The buffer goes back to the pool when the
/// content is disposed and no send is still reading it: SocketsHttpHandler can keep writing a body after
/// the response arrived, so disposal alone is not proof that the bytes are no longer in use.
/// </summary>
internal sealed class PooledRequestContent : HttpContent
{
    private readonly PooledBufferWriter _body;
    private int _references = 1;
    private int _disposed;

    public PooledRequestContent(PooledBufferWriter body, string mediaType)
    {
        _body = body;
        Headers.ContentType = new MediaTypeHeaderValue(mediaType);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            await stream.WriteAsync(_body.WrittenMemory, cancellationToken);
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
            stream.Write(_body.WrittenSpan);
        }
        finally
        {
            Release();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.WrittenCount;
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
                throw new ObjectDisposedException(nameof(PooledRequestContent));
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
            _body.Dispose();
        }
    }
}
