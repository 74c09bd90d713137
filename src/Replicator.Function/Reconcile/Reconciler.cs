using Replicator.Core.Reconciliation;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;

namespace Replicator.Function.Reconcile;

/// <summary>
/// Heals what push events missed: walks the selected repositories (<see cref="DriftScanner"/>), and for every tag and
/// referrer a destination lacks or holds at another digest sends the PUSH event ECR would have sent (a DELETE for a
/// tag the source no longer has, when deletes are replicated) to the replication FIFO queue, in the repository's
/// message group. The function then replicates it like any push. Powers the scheduled reconcile and
/// <c>replicator sync --enqueue</c>.
/// <para>
/// Bounded: no repository or digest is started at or after <see cref="ReconcileRun.StopAt"/>, and a repository's
/// listing or a digest's referrer walk in flight stops at its next page once it is reached; the place reached (the
/// last finished unit) is saved in the <see cref="IReconcileCursorStore"/> and the next run resumes there (digests in
/// ordinal order, so a resumed walk skips exactly what was done). The same holds when the invocation's token is
/// cancelled first (a unit outlasting the margin): the run still sends what it found, saves the cursor and reports,
/// so every run makes progress. Messages are sent before the cursor moves past them.
/// </para>
/// </summary>
public sealed class Reconciler(DriftScanner scanner, IMessageSender sender, TimeProvider time, IReconcileCursorStore? cursorStore = null)
{
    /// <summary>SendMessageBatch takes at most 10 entries (SQS API reference).</summary>
    public const int BatchSize = 10;

    /// <summary>
    /// How long the last send and the cursor's save may take once the invocation's token is cancelled: Lambda's
    /// deadline is then a moment away (the runtime loop keeps half a second back to post the response).
    /// </summary>
    public static readonly TimeSpan FinalWriteTimeout = TimeSpan.FromMilliseconds(400);

    public async Task<ReconcileReport> RunAsync(ReconcileRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var cursor = cursorStore is null ? null : ReconcileCursor.Parse(await cursorStore.LoadAsync(cancellationToken));
        var state = new RunState(run);
        var repositories = ReconcileCursor.Remaining(await scanner.RepositoriesAsync(cancellationToken), cursor);
        foreach (var repository in repositories)
        {
            if (ShouldStop(run))
            {
                return await StopAsync(state, new ReconcileCursor(repository, cursor?.InsideOf(repository) == true ? cursor.AfterDigest : null), cancellationToken);
            }

            string? done = cursor?.InsideOf(repository) == true ? cursor.AfterDigest : null;
            try
            {
                var scan = await scanner.ScanAsync(repository, () => ShouldStop(run), cancellationToken);
                if (scan is null)
                {
                    continue;
                }

                state.Repositories++;
                if (cursor?.InsideOf(repository) != true)
                {
                    await AddAsync(state, scanner.DeletedTags(scan), scan, cancellationToken);
                }

                foreach (var digest in scan.Digests)
                {
                    if (cursor?.Done(repository, digest) == true)
                    {
                        continue;
                    }

                    if (ShouldStop(run))
                    {
                        return await StopAsync(state, new ReconcileCursor(repository, done), cancellationToken);
                    }

                    await AddAsync(state, await scanner.DigestDriftAsync(scan, digest, () => ShouldStop(run), cancellationToken), scan, cancellationToken);
                    done = digest;
                }
            }
            catch (OperationCanceledException ex) when (ex is ScanStoppedException || cancellationToken.IsCancellationRequested)
            {
                // The stop time (or the invocation's deadline) came inside a unit: it is left for the next run, which
                // resumes after the last finished one. Without this the run would end with nothing saved, and every
                // run would start over at the same place.
                return await StopInsideAsync(state, new ReconcileCursor(repository, done), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One repository that cannot be read (a destination's role refused, a repository policy) must not
                // stop the pass at it on every run: it is reported, and the next pass tries it again.
                state.Failures.Add($"{repository}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        await FlushAsync(state, cancellationToken);
        if (cursorStore is not null)
        {
            await cursorStore.SaveAsync(ReconcileCursor.StartValue, cancellationToken);
        }

        return state.Report(completed: true, cursor: null);
    }

    private bool ShouldStop(ReconcileRun run) => run.StopAt is { } stopAt && time.GetUtcNow() >= stopAt;

    private async Task<ReconcileReport> StopAsync(RunState state, ReconcileCursor next, CancellationToken cancellationToken)
    {
        // Everything found so far is sent first: the cursor never passes a message that was not queued.
        await FlushAsync(state, cancellationToken);
        if (cursorStore is not null)
        {
            await cursorStore.SaveAsync(next.Format(), cancellationToken);
        }

        return state.Report(completed: false, cursor: next);
    }

    /// <summary>
    /// <see cref="StopAsync"/> from inside a unit: when the invocation's token is already cancelled, the last send and
    /// the save get a short token of their own (<see cref="FinalWriteTimeout"/>), so the work done is not lost with it.
    /// </summary>
    private async Task<ReconcileReport> StopInsideAsync(RunState state, ReconcileCursor next, CancellationToken cancellationToken)
    {
        if (!cancellationToken.IsCancellationRequested)
        {
            return await StopAsync(state, next, cancellationToken);
        }

        using var final = new CancellationTokenSource(FinalWriteTimeout, time);
        return await StopAsync(state, next, final.Token);
    }

    private async Task AddAsync(RunState state, IReadOnlyList<DriftItem> items, RepositoryScan scan, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            var account = scan.RegistryId ?? state.Run.Account
                ?? throw new InvalidOperationException($"the source did not report the account of {scan.Repository}");
            var value = item.IsDelete
                ? EventFactory.Delete(account, state.Run.Region, item.Repository, item.Digest, item.Tag, state.Run.Time)
                : EventFactory.Push(account, state.Run.Region, item.Repository, item.Digest, item.Tag, state.Run.Time);
            state.Drift.Add(item);
            state.Pending.Add(EventFactory.Message(value, state.Run.RunId));
            if (state.Pending.Count == BatchSize)
            {
                await FlushAsync(state, cancellationToken);
            }
        }
    }

    private async Task FlushAsync(RunState state, CancellationToken cancellationToken)
    {
        if (state.Pending.Count == 0)
        {
            return;
        }

        var refused = await sender.SendBatchAsync(state.Pending, cancellationToken);
        state.Enqueued += state.Pending.Count - refused.Count;
        state.Refusals.AddRange(refused);
        state.Pending.Clear();
    }

    private sealed class RunState(ReconcileRun run)
    {
        public ReconcileRun Run { get; } = run;

        public List<QueueMessage> Pending { get; } = [];

        public List<DriftItem> Drift { get; } = [];

        public List<string> Refusals { get; } = [];

        public List<string> Failures { get; } = [];

        public int Repositories { get; set; }

        public int Enqueued { get; set; }

        public ReconcileReport Report(bool completed, ReconcileCursor? cursor) =>
            new(Repositories, Drift.Count, Enqueued, [.. Refusals], completed, cursor, [.. Drift]) { Failures = [.. Failures] };
    }
}
