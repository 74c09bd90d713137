using System.Buffers;
using System.Runtime.InteropServices;

namespace LocalEcr.Hosting;

/// <summary>One pinned block of a <see cref="TransportMemoryPool"/>; disposing it hands it back, once.</summary>
internal sealed class TransportBlock : IMemoryOwner<byte>
{
    private readonly TransportMemoryPool _pool;
    private int _rented;

    public TransportBlock(TransportMemoryPool pool, byte[] pinnedArray)
    {
        _pool = pool;

        // Created from a pinned array, the memory's Pin() takes no GC handle.
        Memory = MemoryMarshal.CreateFromPinnedArray(pinnedArray, 0, pinnedArray.Length);
    }

    public Memory<byte> Memory { get; }

    internal void MarkRented() => Volatile.Write(ref _rented, 1);

    public void Dispose()
    {
        // A second Dispose must not put the block in the free list twice (two owners would share it).
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            _pool.Return(this);
        }
    }
}
