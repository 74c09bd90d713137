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

    /// <summary>
    /// Each block of a body is written separately, and the call's timer re-armed before it: small enough that one
    /// block takes far less than the timeout even on a slow, shared uplink (1 MiB at 10 Mbit/s split among twelve
    /// uploads is about 10 s, a tenth of <see cref="EcrClientConfig.DefaultTimeout"/>), large enough that a 13.3 MiB
    /// UploadLayerPart is some 14 writes. Each write is at least one send(2); with 64 KiB blocks a 256 MiB layer took
    /// about 5,400 of them, and on the bench's VM (kernel page-table isolation on) they cost about 5 % of the copy's
    /// CPU (docs/performance.md, "Checked again on 2026-12-05, midday: run K").
    /// </summary>
    internal const int BlockSize = 1024 * 1024;

    protected RetainedContent(string mediaType) => Headers.ContentType = new MediaTypeHeaderValue(mediaType);

    /// <summary>
    /// The call's timer, when it has one. While the body is sent it is re-armed before each block, so a slow but
    /// moving upload is limited on inactivity (what botocore's <c>read_timeout</c> is: a socket timeout, not a
    /// total, https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html), and once more after the last
    /// block, so the whole timeout is left for the answer. A body whose bytes stop moving for that long still times out.
    /// </summary>
    internal StallTimer? Deadline { get; set; }

    /// <summary>Writes the body (through <see cref="WriteBlocksAsync"/>); called only while a reference is held.</summary>
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
            Deadline?.Rearm();
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Writes <paramref name="bytes"/> in blocks of <see cref="BlockSize"/>, re-arming <see cref="Deadline"/> before each.</summary>
    protected async ValueTask WriteBlocksAsync(Stream stream, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        if (Deadline is not { } deadline)
        {
            await stream.WriteAsync(bytes, cancellationToken);
            return;
        }

        for (var offset = 0; offset < bytes.Length; offset += BlockSize)
        {
            deadline.Rearm();
            await stream.WriteAsync(bytes.Slice(offset, Math.Min(BlockSize, bytes.Length - offset)), cancellationToken);
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
