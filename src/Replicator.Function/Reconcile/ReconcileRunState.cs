using Replicator.Core.Reconciliation;
using Replicator.Function.Enqueue;

namespace Replicator.Function.Reconcile;

/// <summary>A message waiting for its batch: the drift it stands for, and the cursor that finds that drift again.</summary>
internal sealed record PendingMessage(DriftItem Item, QueueMessage Message, ReconcileCursor Resume);

/// <summary>
/// What one reconcile run has found, sent and failed so far, kept by <see cref="Reconciler"/> and turned into its
/// <see cref="ReconcileReport"/> at the end.
/// </summary>
internal sealed class ReconcileRunState(ReconcileRun run)
{
    public ReconcileRun Run { get; } = run;

    public List<PendingMessage> Pending { get; } = [];

    public List<DriftItem> Drift { get; } = [];

    public HashSet<(string Repository, string Digest, string? Tag, DriftKind Kind)> Found { get; } = [];

    public List<DriftRefusal> Refusals { get; } = [];

    public List<ReconcileFailure> Failures { get; } = [];

    public List<DriftConflict> Conflicts { get; } = [];

    public List<TagFilterTimeout> TagFilterTimeouts { get; } = [];

    public Exception? SendError { get; set; }

    /// <summary>Set by the first send that failed: the cursor of the first message it did not send.</summary>
    public ReconcileCursor? FirstUnsent { get; set; }

    public int Repositories { get; set; }

    public int Enqueued { get; set; }

    /// <summary>Why the run did not resume at the stored cursor, when it did not.</summary>
    public string? NewPassReason { get; init; }

    public ReconcileReport Report(bool completed, ReconcileCursor? cursor, string? cursorFailure) =>
        new(Repositories, Drift.Count, Enqueued, [.. Refusals], completed, cursor, [.. Drift])
        {
            NewPassReason = NewPassReason,
            Failures = [.. Failures],
            Conflicts = [.. Conflicts],
            TagFilterTimeouts = [.. TagFilterTimeouts],
            SendError = SendError,
            CursorFailure = cursorFailure,
        };
}
