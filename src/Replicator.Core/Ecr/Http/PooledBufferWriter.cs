using System.Buffers;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over one array rented from <see cref="ArrayPool{T}.Shared"/>; returned on dispose.
/// Sized up front where the final length is known (an UploadLayerPart body) so it never grows and copies.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private const int MinimumSize = 256;
    private byte[]? _buffer;
    private int _written;

    public PooledBufferWriter(int initialCapacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, MinimumSize));
    }

    /// <summary>How many times the buffer had to be replaced by a larger one (tests prove a part body never grows).</summary>
    public int GrowCount { get; private set; }

    public int WrittenCount => _written;

    public ReadOnlyMemory<byte> WrittenMemory => Buffer.AsMemory(0, _written);

    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    /// <summary>The written bytes, to patch in place (the tail of a shared part's body turns its '{' into ',').</summary>
    public Span<byte> WrittenSpanForUpdate => Buffer.AsSpan(0, _written);

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > Buffer.Length)
        {
            throw new InvalidOperationException("advanced past the end of the buffer");
        }

        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return Buffer.AsSpan(_written);
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Ensure(int sizeHint)
    {
        var current = Buffer;
        var needed = Math.Max(sizeHint, 1);
        if (current.Length - _written >= needed)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(checked(Math.Max(current.Length * 2, _written + needed)));
        current.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(current);
        _buffer = larger;
        GrowCount++;
    }
}
