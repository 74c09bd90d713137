using System.Buffers;
using System.Collections.Concurrent;

namespace LocalEcr.Hosting;

/// <summary>
/// The memory Kestrel's socket transport receives into, in blocks of <see cref="BlockSize"/> instead of its default
/// pool's 4 KiB. The transport reads a socket into one block at a time (and first waits for data with a zero-byte
/// read), then flushes the connection's pipe, which wakes the request's reader on the thread pool. With 4 KiB blocks
/// a ~13.3 MiB UploadLayerPart body took ~3,400 such rounds, paid once per destination for every part: the bench's
/// fan-out figure put LocalEcr at ~2 CPU s per extra destination for 256 MiB. With 128 KiB blocks a round carries
/// as much as loopback TCP hands over at once (its 64 KiB MTU, several segments when queued). Blocks are pinned
/// (the pinned object heap), as Kestrel's own pool's are, so socket I/O never pins them per call, and reused.
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 128 * 1024;

    // Enough for every connection of a busy bench (3 destinations x 4 layers, each pipe holding up to Kestrel's
    // 1 MiB MaxRequestBufferSize) to find its blocks here; more are left to the collector.
    private const int MaxCachedBlocks = 256;

    private readonly ConcurrentQueue<TransportBlock> _free = new();
    private int _cached;
    private int _created;
    private long _rents;

    /// <summary>Blocks allocated so far (a block rented again after its return is not counted twice).</summary>
    public int BlocksCreated => Volatile.Read(ref _created);

    /// <summary>Rents so far: one per pipe segment the transport filled.</summary>
    public long Rents => Interlocked.Read(ref _rents);

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        // A pipe asks for more than MaxBufferSize only from its own fallback, never from the pool.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        Interlocked.Increment(ref _rents);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _cached);
        }
        else
        {
            Interlocked.Increment(ref _created);
            block = new TransportBlock(this, GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true));
        }

        block.MarkRented();
        return block;
    }

    internal void Return(TransportBlock block)
    {
        if (Interlocked.Increment(ref _cached) <= MaxCachedBlocks)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _cached);
        }
    }

    protected override void Dispose(bool disposing)
    {
        _free.Clear();
    }
}
