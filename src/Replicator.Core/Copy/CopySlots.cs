namespace Replicator.Core.Copy;

/// <summary>
/// The engine's blobs in flight (<c>ReplicatorOptions.MaxParallelLayers</c>), shared by every request. The copy
/// takes one slot per download of a blob, whatever the number of destinations it feeds (their parts are shared;
/// a blob has a second download only for a destination late past <c>BlobCopyOptions.FanOutGrace</c>); a caller may
/// take several at once, all or none. Waiters are served in order, so a caller needing many slots is not
/// starved by smaller ones.
/// </summary>
internal sealed class CopySlots
{
    private readonly Lock _gate = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private int _free;

    public CopySlots(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _free = capacity;
    }

    public int Capacity { get; }

    /// <summary>Takes <paramref name="count"/> slots (at most all of them); dispose the result to give them back.</summary>
    public async Task<IDisposable> TakeAsync(int count, CancellationToken cancellationToken)
    {
        count = Math.Clamp(count, 1, Capacity);
        Waiter waiter;
        lock (_gate)
        {
            if (_waiters.Count == 0 && _free >= count)
            {
                _free -= count;
                return new Lease(this, count);
            }

            waiter = new Waiter(count);
            waiter.Node = _waiters.AddLast(waiter);
        }

        using (cancellationToken.Register(() => Cancel(waiter, cancellationToken)))
        {
            await waiter.Ready.Task;
        }

        return new Lease(this, count);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (waiter.Node?.List is null)
            {
                return; // already granted
            }

            _waiters.Remove(waiter.Node);
            GrantWaiting();
        }

        waiter.Ready.TrySetCanceled(cancellationToken);
    }

    private void Release(int count)
    {
        lock (_gate)
        {
            _free += count;
            GrantWaiting();
        }
    }

    // Under the lock: grants from the head while the head fits.
    private void GrantWaiting()
    {
        while (_waiters.First is { } head && _free >= head.Value.Count)
        {
            _free -= head.Value.Count;
            _waiters.RemoveFirst();
            head.Value.Ready.TrySetResult();
        }
    }

    private sealed class Waiter(int count)
    {
        public int Count { get; } = count;

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LinkedListNode<Waiter>? Node { get; set; }
    }

    private sealed class Lease(CopySlots slots, int count) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release(count);
            }
        }
    }
}
