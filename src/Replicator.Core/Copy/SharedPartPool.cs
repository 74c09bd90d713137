namespace Replicator.Core.Copy;

/// <summary>
/// The engine's parts, shared by every blob and request: at most <see cref="Capacity"/> are alive at once, so the
/// copy engine's memory is bounded by <see cref="Capacity"/> encoded parts (~13.3 MiB each with ECR's 10 MiB parts)
/// whatever the number of blobs, destinations or their speed. A download waits here for a part when all are in
/// use; the uploads that hold them never wait for a part, so they always drain. Returned parts are reused (no
/// large allocation, page faults or gen-2 collections per part).
/// </summary>
internal sealed class SharedPartPool
{
    private readonly Lock _gate = new();
    private readonly Stack<SharedPart> _free = new();
    private readonly SemaphoreSlim _slots;
    private int _alive;

    public SharedPartPool(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _slots = new SemaphoreSlim(capacity, capacity);
    }

    public int Capacity { get; }

    /// <summary>Parts rented and not yet given back.</summary>
    public int Alive => Volatile.Read(ref _alive);

    /// <summary>The most parts alive at once since the pool was made (tests prove the bounds with it).</summary>
    public int MaxAlive { get; private set; }

    /// <summary>Part buffers allocated (a reused one is not counted again).</summary>
    public int Allocated { get; private set; }

    /// <summary>A part for <paramref name="partSize"/> raw bytes starting at <paramref name="start"/>; waits while all are in use.</summary>
    public async Task<SharedPart> RentAsync(int partSize, long start, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        SharedPart? part = null;
        lock (_gate)
        {
            while (_free.TryPop(out var free))
            {
                if (free.PartSize == partSize)
                {
                    part = free;
                    break;
                }

                // A part of another size (a layer above 41 GiB uses larger parts) is left to the GC.
            }

            if (part is null)
            {
                Allocated++;
            }

            _alive++;
            MaxAlive = Math.Max(MaxAlive, _alive);
        }

        try
        {
            part ??= new SharedPart(this, partSize);
        }
        catch
        {
            Forget();
            throw;
        }

        part.Begin(start);
        return part;
    }

    /// <summary>Called by the part's last release.</summary>
    public void Return(SharedPart part)
    {
        lock (_gate)
        {
            _free.Push(part);
            _alive--;
        }

        _slots.Release();
    }

    private void Forget()
    {
        lock (_gate)
        {
            _alive--;
        }

        _slots.Release();
    }
}
