namespace Replicator.Core.Destinations;

/// <summary>
/// A value that is loaded again when its owner decides, one load at a time: callers that need a load while one
/// runs join it instead of starting their own (a burst of parallel layers must not become a burst of AssumeRole or
/// GetParameter calls). Reads of <see cref="Current"/> take no lock.
/// </summary>
/// <remarks>
/// The load belongs to no caller: it runs without a caller's cancellation token (the SDK clients behind it have
/// their own timeouts), and each caller stops waiting on its own token, so one cancelled copy does not fail the
/// others that joined its load. Nothing here needs disposing, so a holder that is replaced (a rotated key's role)
/// can still be used by a caller that got it just before, and is collected once nobody holds it.
/// </remarks>
internal sealed class RefreshingValue<T>
    where T : class
{
    private readonly Lock _gate = new();
    private volatile T? _value;
    private Task<T>? _loading;

    /// <summary>The value as last loaded; null before the first load and after <see cref="Forget()"/>.</summary>
    public T? Current => _value;

    /// <summary>
    /// The load in progress, or a new one of <paramref name="load"/> (given <see cref="Current"/>, so it can keep
    /// parts of it or fall back to it). Its result becomes <see cref="Current"/>; a failed load leaves it as it was.
    /// <paramref name="observed"/> is the <see cref="Current"/> that made the caller want a load: if another load
    /// has replaced it since, that value is given and nothing is loaded.
    /// </summary>
    public Task<T> LoadAsync(T? observed, Func<T?, Task<T>> load)
    {
        TryStartLoad(observed, load, out var loading);
        return loading;
    }

    /// <summary>
    /// Starts a load of <paramref name="load"/> unless one is in progress, which is then given instead, or unless
    /// <see cref="Current"/> is no longer <paramref name="observed"/> (a load finished after the caller read it),
    /// whose newer value is then given: a caller that saw the old value must not load a second time.
    /// </summary>
    /// <returns>Whether this call started the load.</returns>
    public bool TryStartLoad(T? observed, Func<T?, Task<T>> load, out Task<T> loading)
    {
        ArgumentNullException.ThrowIfNull(load);
        TaskCompletionSource<T> completion;
        lock (_gate)
        {
            if (_loading is { } running)
            {
                loading = running;
                return false;
            }

            // A load sets the value before it leaves _loading (RunAsync, Finish), so with no load running a value that
            // differs from the caller's is one loaded after the caller's read. A forgotten value (null) is loaded again.
            if (_value is { } newer && !ReferenceEquals(newer, observed))
            {
                loading = Task.FromResult(newer);
                return false;
            }

            completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            _loading = loading = completion.Task;
        }

        // Started outside the lock: the load's own code never runs under it.
        _ = RunAsync(load, completion);
        return true;
    }

    /// <summary>Drops the value so the next caller loads again; returns what was dropped.</summary>
    public T? Forget() => Interlocked.Exchange(ref _value, null);

    /// <summary>Drops the value only if it is still <paramref name="expected"/>; returns whether it did.</summary>
    public bool Forget(T expected) => ReferenceEquals(Interlocked.CompareExchange(ref _value, null, expected), expected);

    private async Task RunAsync(Func<T?, Task<T>> load, TaskCompletionSource<T> completion)
    {
        T loaded;
        try
        {
            loaded = await load(_value);
        }
        catch (Exception ex)
        {
            Finish();
            completion.SetException(ex);

            // Every caller that waits sees the failure; marking it observed keeps a load whose callers all gave up
            // (cancelled) from surfacing as an unobserved task exception.
            _ = completion.Task.Exception;
            return;
        }

        _value = loaded;
        Finish();
        completion.SetResult(loaded);
    }

    // Before the task completes, so a caller resuming on it already sees no load in progress.
    private void Finish()
    {
        lock (_gate)
        {
            _loading = null;
        }
    }
}
