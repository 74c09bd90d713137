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
    /// <remarks>
    /// A joined copy that ends cancelled was stopped with the request that started it (that invocation's deadline
    /// fired while this one, the SQS redelivery say, arrived before the cancelled upload had wound down). The joiner
    /// then takes the key over and copies under its own token: failing it instead would send a record that can
    /// succeed back to SQS for a whole visibility timeout.
    /// </remarks>
    /// <exception cref="ReplicationException">
    /// The copy this caller started was cancelled though its token was not (an HTTP timeout surfacing as a
    /// cancellation, say): transient, so a retry copies the blob again. Its cancellation would otherwise reach this
    /// caller as its own, which the engine does not report per destination.
    /// </exception>
    public async Task<(long Bytes, bool Joined)> RunAsync(TKey key, Func<Task<long>> copy, CancellationToken cancellationToken)
    {
        while (true)
        {
            Lazy<Task<long>>? mine = null;
            mine = new Lazy<Task<long>>(() => Observed(CopyThenForgetAsync(key, copy, mine!)));
            var running = _running.GetOrAdd(key, mine);
            var joined = !ReferenceEquals(running, mine);
            try
            {
                return (await running.Value.WaitAsync(cancellationToken), joined);
            }
            catch (OperationCanceledException) when (joined && !cancellationToken.IsCancellationRequested)
            {
                // The key was freed before the joined task ended (CopyThenForgetAsync), so the next round starts this
                // caller's own copy, or joins one a third request has started since. Each round needs another request
                // stopped mid-copy, and this caller's token still bounds the whole.
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ReplicationException(
                    ReplicationErrorCodes.DeadlineExceeded,
                    "the layer copy was cancelled though this request was not; a retry copies the layer again",
                    isTransient: true,
                    ex);
            }
        }
    }

    /// <summary>
    /// Marks the copy's failure as observed: every waiter may have left (their tokens fired) while the copy, under its
    /// starter's token, goes on and ends with a destination's own error that nobody reads; left so, it would reach
    /// <see cref="TaskScheduler.UnobservedTaskException"/> when collected. Each waiter still gets the failure.
    /// </summary>
    private static Task<long> Observed(Task<long> copy)
    {
        _ = copy.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return copy;
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
