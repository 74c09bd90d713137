using Replicator.Core.Reconciliation;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;

namespace Replicator.Function.Reconcile;

/// <summary>
/// The reconciler's way to the queue (<see cref="Reconciler"/>): each drift item once per run, as the event a push (or
/// a replicated delete) would have sent, held in the run's pending list with the unit the cursor resumes from, and sent
/// in batches. A message is queued, refused (reported), or kept from the queue by the run's own stop (deferred to the
/// next run); the run's <see cref="ReconcileRunState.FirstUnsent"/> says where the next run must start so that the
/// cursor never passes a message that was not queued.
/// </summary>
internal sealed class DriftSender(IMessageSender sender)
{
    public async Task AddAsync(ReconcileRunState state, IReadOnlyList<DriftItem> items, RepositoryScan scan, ReconcileCursor resume, CancellationToken cancellationToken)
    {
        foreach (var item in items)
        {
            // Once a run: a referrer reached from two subjects (a platform manifest two indexes share)
            // is one event, counted once in DriftFound.
            if (!state.Found.Add((item.Repository, item.Digest, item.Tag, item.Kind)))
            {
                continue;
            }

            var account = scan.RegistryId ?? state.Run.Account
                ?? throw new InvalidOperationException($"the source did not report the account of {scan.Repository}");
            var value = item.IsDelete
                ? EventFactory.Delete(account, state.Run.Region, item.Repository, item.Digest, item.Tag, state.Run.Time)
                : EventFactory.Push(account, state.Run.Region, item.Repository, item.Digest, item.Tag, state.Run.Time);
            state.Drift.Add(item);
            state.Pending.Add(new PendingMessage(item, EventFactory.Message(value, state.Run.RunId) with { Sender = SenderAttribute.Reconciler }, resume));
        }

        await FlushAsync(state, all: false, cancellationToken);
    }

    /// <summary>
    /// Sends the pending messages in batches of at most <see cref="Reconciler.BatchSize"/>: the full batches, or with
    /// <paramref name="all"/> every one (the last batch may then be short). A batch that throws is the run's send
    /// failure, reported once: it and every message after it are not sent (each is reported as refused; after the
    /// run's own cancellation, not a failure of the queue, they are only left for the next run), and
    /// <see cref="ReconcileRunState.FirstUnsent"/> marks where the next run must start again. After it, nothing more is sent.
    /// </summary>
    public async Task FlushAsync(ReconcileRunState state, bool all, CancellationToken cancellationToken)
    {
        var sent = 0;
        try
        {
            while (state.FirstUnsent is null && sent < state.Pending.Count && (all || state.Pending.Count - sent >= Reconciler.BatchSize))
            {
                var batch = state.Pending.Skip(sent).Take(Reconciler.BatchSize).ToList();
                IReadOnlyList<MessageRefusal> refused;
                try
                {
                    refused = await sender.SendBatchAsync([.. batch.Select(p => p.Message)], cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The run's own stop (the deadline, or the final send's short token): not the queue's failure, so
                    // no error and no refusals; the cursor goes back to this batch's unit, and the next run finds its
                    // drift again.
                    state.FirstUnsent = batch[0].Resume;
                    break;
                }
                catch (Exception ex)
                {
                    // The messages are not queued, and the cursor must say so.
                    state.SendError = ex;
                    state.FirstUnsent = batch[0].Resume;
                    break;
                }

                foreach (var refusal in refused.Where(r => !r.Cancelled))
                {
                    state.Refusals.Add(new DriftRefusal(batch[refusal.Index].Item, refusal.ToString()));
                }

                state.Enqueued += batch.Count - refused.Count;
                sent += batch.Count;
                if (refused.Where(r => r.Cancelled).Select(r => r.Index).DefaultIfEmpty(-1).Min() is var first and >= 0)
                {
                    // SQS failed these on its side and the run's own stop cut their resend short: not queued, and not
                    // the queue's refusal either. As for a batch the stop cut short, the cursor goes back to the first
                    // one's unit and the next run finds them again (counted then); counted as refused, they raised
                    // ReconcileRefused's alarm and waited a whole pass. The batch's other entries are queued.
                    state.FirstUnsent = batch[first].Resume;
                    Defer(state, refused.Where(r => r.Cancelled).Select(r => batch[r.Index].Item));
                    break;
                }
            }
        }
        finally
        {
            if (state.FirstUnsent is null)
            {
                state.Pending.RemoveRange(0, sent);
            }
            else
            {
                if (state.SendError is { } error)
                {
                    var reason = $"not sent: {ReconcileReport.Describe(error)}";
                    state.Refusals.AddRange(state.Pending.Skip(sent).Select(p => new DriftRefusal(p.Item, reason)));
                }
                else
                {
                    // Cut short by the run's own stop: neither queued nor refused, and the cursor goes back to the
                    // first one's unit, so the next run finds them again and counts them then. Kept in this run's drift,
                    // each was logged as enqueued and counted in DriftFound with nothing in DriftEnqueued or
                    // ReconcileRefused to match it.
                    Defer(state, state.Pending.Skip(sent).Select(p => p.Item));
                }

                state.Pending.Clear();
            }
        }
    }

    /// <summary>
    /// Drift the run's own stop kept from the queue: out of this run's drift (neither logged as enqueued nor counted),
    /// for the next run to find again from the cursor, which goes back to the first one's unit.
    /// </summary>
    private static void Defer(ReconcileRunState state, IEnumerable<DriftItem> items)
    {
        var deferred = new HashSet<DriftItem>(items, ReferenceEqualityComparer.Instance);
        state.Drift.RemoveAll(deferred.Contains);
    }
}
