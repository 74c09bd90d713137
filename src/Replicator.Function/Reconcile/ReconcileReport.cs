using Replicator.Core.Reconciliation;

namespace Replicator.Function.Reconcile;

/// <summary>
/// What a run did: <see cref="DriftFound"/> events needed, <see cref="DriftEnqueued"/> of them the queue accepted,
/// the ones it did not (<see cref="Refusals"/>; drift whose send the run's own stop cut short is in none of them: the
/// next run finds and counts it), how many repositories were walked, and whether the pass completed or
/// stopped at <see cref="Cursor"/>.
/// </summary>
public sealed record ReconcileReport(int Repositories, int DriftFound, int DriftEnqueued, IReadOnlyList<DriftRefusal> Refusals, bool Completed, ReconcileCursor? Cursor, IReadOnlyList<DriftItem> Drift)
{
    /// <summary>
    /// Repositories that could not be read, a repository's destinations that could not be listed (compared
    /// without them; one whose credentials failed is named once, then skipped for the rest of the run), and a
    /// repository's images whose referrers the source would not list (one line per repository: their tags were
    /// compared, their referrers not), with the reason; the pass went on without them. ReconcileFailures counts them,
    /// with <see cref="TagFilterTimeouts"/>.
    /// </summary>
    public IReadOnlyList<ReconcileFailure> Failures { get; init; } = [];

    /// <summary>
    /// Tags the tag filter could not decide in time (its match timed out): not compared this pass, neither pushed nor
    /// deleted, while the rest of their repository was. Counted in ReconcileFailures with <see cref="Failures"/>, as
    /// drift this pass could not look at.
    /// </summary>
    public IReadOnlyList<TagFilterTimeout> TagFilterTimeouts { get; init; } = [];

    /// <summary><see cref="Failures"/> and <see cref="TagFilterTimeouts"/>: what ReconcileFailures counts.</summary>
    public int FailureCount => Failures.Count + TagFilterTimeouts.Count;

    /// <summary>
    /// The SendMessageBatch request that failed as a whole (after the SDK's own retries): the run stopped there, and
    /// <see cref="Cursor"/> is the unit of the first message not sent. Never a repository's failure.
    /// </summary>
    public Exception? SendError { get; init; }

    /// <summary><see cref="SendError"/> as a reason, or none: at most one send fails, since the run stops at it.</summary>
    public IReadOnlyList<string> SendFailures => SendError is null ? [] : [Describe(SendError)];

    internal static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";

    /// <summary>
    /// Selected tags a destination holds at another digest where the tag is immutable: not enqueued, since PutImage
    /// would refuse them on every pass; the operator deletes the destination's tag or leaves it out of TagFilter.
    /// DriftConflicts counts them; they are not part of <see cref="DriftFound"/>.
    /// </summary>
    public IReadOnlyList<DriftConflict> Conflicts { get; init; } = [];

    /// <summary>Why the cursor could not be saved, when it could not: the next run starts from the cursor saved before.</summary>
    public string? CursorFailure { get; init; }

    /// <summary>
    /// Why this run started a new pass instead of resuming at the stored cursor: the cursor was saved under other
    /// settings that decide drift, by an earlier version that did not record them, or the stored value is not a cursor.
    /// Null when it resumed, or when the stored value said to start a pass.
    /// </summary>
    public string? NewPassReason { get; init; }
}
