using System.Buffers;

namespace Replicator.Core.Copy;

/// <summary>
/// One part of a blob, read once into a pooled buffer and handed to every destination that uploads it. Each
/// reader releases it once; the buffer goes back to the pool with the last release, so a part costs its bytes
/// once however many destinations send it.
/// </summary>
internal sealed class SharedPart
{
    private readonly byte[] _buffer;
    private int _references;

    public SharedPart(int capacity)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        Capacity = capacity;
        _references = 1;
    }

    public int Capacity { get; }

    /// <summary>Offset of the part's first byte in the blob.</summary>
    public long Start { get; private set; }

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, Length);

    /// <summary>The whole buffer, for the download to fill.</summary>
    public Memory<byte> Writable => _buffer.AsMemory(0, Capacity);

    public void Seal(long start, int length)
    {
        Start = start;
        Length = length;
    }

    /// <summary>Adds readers before the part is handed out (the producer holds the first reference).</summary>
    public void AddReferences(int count) => Interlocked.Add(ref _references, count);

    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a shared part was released more often than it was handed out");
        }
    }
}
