using System.Collections.Concurrent;
using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// One copy in flight per key (destination and digest): a second caller joins the running task instead of
/// uploading the same bytes again. The key is forgotten when the copy ends, whatever its outcome: a failed copy can be
/// taken again by a retry (go-containerregistry's pusher does the same per digest), and a later request checks the
/// destination again instead of joining a finished task.
/// </summary>
internal sealed class InFlightCopies<TKey>
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Lazy<Task<long>>> _running = new();

    /// <summary>
    /// Runs <paramref name="copy"/> unless a copy of the key is running; <c>Joined</c> tells which. The caller stops
    /// waiting when its <paramref name="cancellationToken"/> fires, whatever the copy does: a copy that never ends (a
    /// bug upstream) cannot hold a request past its deadline. Leaving does not cancel the copy, which runs under the
    /// token of the request that started it, so the other callers waiting on it still get it, and a request that
    /// comes later joins it too.
    /// </summary>
    /// <exception cref="ReplicationException">
    /// The copy was cancelled, but not by this caller's token (the request that started it was stopped): transient,
    /// so a retry copies the blob again. Its cancellation would otherwise reach this caller as its own, which the
    /// engine does not report per destination.
    /// </exception>
    public async Task<(long Bytes, bool Joined)> RunAsync(TKey key, Func<Task<long>> copy, CancellationToken cancellationToken)
    {
        Lazy<Task<long>>? mine = null;
        mine = new Lazy<Task<long>>(() => CopyThenForgetAsync(key, copy, mine!));
        var running = _running.GetOrAdd(key, mine);
        var joined = !ReferenceEquals(running, mine);
        try
        {
            return (await running.Value.WaitAsync(cancellationToken), joined);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ReplicationException(
                ReplicationErrorCodes.DeadlineExceeded,
                joined
                    ? "the layer copy this request joined was cancelled with the request that started it (its deadline ran out or it was stopped); a retry copies the layer again"
                    : "the layer copy was cancelled though this request was not; a retry copies the layer again",
                isTransient: true,
                ex);
        }
    }

    // The key is removed before the task completes, so every caller that sees the copy end also sees the key free.
    private async Task<long> CopyThenForgetAsync(TKey key, Func<Task<long>> copy, Lazy<Task<long>> entry)
    {
        try
        {
            return await copy();
        }
        finally
        {
            _running.TryRemove(new KeyValuePair<TKey, Lazy<Task<long>>>(key, entry));
        }
    }
}
