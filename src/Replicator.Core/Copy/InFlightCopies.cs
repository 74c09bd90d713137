using System.Collections.Concurrent;

namespace Replicator.Core.Copy;

/// <summary>
/// One copy in flight per key (destination and digest): a second caller joins the running task instead of
/// uploading the same bytes again. A failed task is forgotten so that a retry can take the key again
/// (go-containerregistry's pusher does the same per digest).
/// </summary>
internal sealed class InFlightCopies<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<long>>> _running = new();

    /// <summary>
    /// Runs <paramref name="copy"/> unless a copy of the key is running; <c>Joined</c> tells which. The caller stops
    /// waiting when its <paramref name="cancellationToken"/> fires, whatever the copy does: a copy that never ends (a
    /// bug upstream) cannot hold a request past its deadline. Leaving does not cancel the copy, which runs under the
    /// token of the request that started it, so the other callers waiting on it still get it.
    /// </summary>
    public async Task<(long Bytes, bool Joined)> RunAsync(TKey key, Func<Task<long>> copy, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<long>>(copy);
        var running = _running.GetOrAdd(key, mine);
        try
        {
            var bytes = await running.Value.WaitAsync(cancellationToken);
            return (bytes, !ReferenceEquals(running, mine));
        }
        finally
        {
            // Whoever started it clears it: later requests check the destination again instead of joining a finished task.
            if (ReferenceEquals(running, mine))
            {
                _running.TryRemove(new KeyValuePair<TKey, Lazy<Task<long>>>(key, mine));
            }
        }
    }
}
