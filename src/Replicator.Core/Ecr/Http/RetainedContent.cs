using System.Net;
using System.Net.Http.Headers;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// A request body served from buffers this content holds until it is disposed <em>and</em> no send still reads them:
/// SocketsHttpHandler can keep writing a body after the response arrived, so disposal alone is not proof that the
/// bytes are no longer in use. Each send takes a reference; the last one out calls <see cref="Free"/>.
/// </summary>
internal abstract class RetainedContent : HttpContent
{
    private int _references = 1;
    private int _disposed;

    protected RetainedContent(string mediaType) => Headers.ContentType = new MediaTypeHeaderValue(mediaType);

    /// <summary>Writes the body; called only while a reference is held.</summary>
    protected abstract ValueTask WriteBodyAsync(Stream stream, CancellationToken cancellationToken);

    /// <summary>Writes the body synchronously; called only while a reference is held.</summary>
    protected abstract void WriteBody(Stream stream);

    /// <summary>The body's length in bytes.</summary>
    protected abstract long BodyLength { get; }

    /// <summary>Returns the buffers: called once, when the last reference is released.</summary>
    protected abstract void Free();

    protected sealed override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected sealed override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            await WriteBodyAsync(stream, cancellationToken);
        }
        finally
        {
            Release();
        }
    }

    protected sealed override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Acquire();
        try
        {
            WriteBody(stream);
        }
        finally
        {
            Release();
        }
    }

    protected sealed override bool TryComputeLength(out long length)
    {
        length = BodyLength;
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
                throw new ObjectDisposedException(GetType().Name);
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
            Free();
        }
    }
}
