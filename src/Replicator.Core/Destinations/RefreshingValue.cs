namespace Replicator.Core.Destinations;

/// <summary>
/// A value loaded on first use and loaded again once it is no longer fresh, one load at a time: callers that find
/// it stale while a load runs wait for that load instead of starting their own (a burst of parallel layers must not
/// become a burst of AssumeRole or GetParameter calls). Reads of a fresh value take no lock.
/// </summary>
internal sealed class RefreshingValue<T> : IDisposable
    where T : class
{
    private readonly SemaphoreSlim _load = new(1, 1);
    private volatile T? _value;

    /// <summary>The value as last loaded, fresh or not; null before the first load and after <see cref="Forget"/>.</summary>
    public T? Current => _value;

    /// <summary>
    /// The current value when <paramref name="isFresh"/> says so, else the one <paramref name="load"/> returns, which
    /// is given the stale value (null the first time) so it can keep parts of it or fall back to it.
    /// </summary>
    public async ValueTask<T> GetAsync(Func<T, bool> isFresh, Func<T?, CancellationToken, ValueTask<T>> load, CancellationToken cancellationToken)
    {
        var current = _value;
        if (current is not null && isFresh(current))
        {
            return current;
        }

        await _load.WaitAsync(cancellationToken);
        try
        {
            // Another caller may have loaded it while this one waited.
            current = _value;
            if (current is not null && isFresh(current))
            {
                return current;
            }

            var loaded = await load(current, cancellationToken);
            _value = loaded;
            return loaded;
        }
        finally
        {
            _load.Release();
        }
    }

    /// <summary>Drops the value so the next <see cref="GetAsync"/> loads again; returns what was dropped.</summary>
    public T? Forget() => Interlocked.Exchange(ref _value, null);

    public void Dispose() => _load.Dispose();
}
