using Replicator.Core.Reconciliation;

namespace Replicator.Function.Reconcile;

/// <summary>
/// What a run did: <see cref="DriftFound"/> events needed, <see cref="DriftEnqueued"/> of them the queue accepted,
/// the ones it did not (<see cref="Refusals"/>), how many repositories were walked, and whether the pass completed or
/// stopped at <see cref="Cursor"/>.
/// </summary>
public sealed record ReconcileReport(int Repositories, int DriftFound, int DriftEnqueued, IReadOnlyList<DriftRefusal> Refusals, bool Completed, ReconcileCursor? Cursor, IReadOnlyList<DriftItem> Drift)
{
    /// <summary>Repositories that could not be read, with the reason; the pass went on without them.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>
    /// SendMessageBatch requests that failed as a whole (after the SDK's own retries), with the reason: the run stopped
    /// there, and <see cref="Cursor"/> is the unit of the first message not sent. Never a repository's failure.
    /// </summary>
    public IReadOnlyList<string> SendFailures { get; init; } = [];

    /// <summary>The exception of the send that failed, for a caller that ends on it (the CLI's one error line).</summary>
    public Exception? SendError { get; init; }

    /// <summary>Why the cursor could not be saved, when it could not: the next run starts from the cursor saved before.</summary>
    public string? CursorFailure { get; init; }
}
