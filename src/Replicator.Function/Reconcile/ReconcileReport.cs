using Replicator.Core.Reconciliation;

namespace Replicator.Function.Reconcile;

/// <summary>
/// What a run did: <see cref="DriftFound"/> events needed, <see cref="DriftEnqueued"/> of them the queue accepted,
/// the refusals, how many repositories were walked, and whether the pass completed or stopped at <see cref="Cursor"/>.
/// </summary>
public sealed record ReconcileReport(int Repositories, int DriftFound, int DriftEnqueued, IReadOnlyList<string> Refusals, bool Completed, ReconcileCursor? Cursor, IReadOnlyList<DriftItem> Drift)
{
    /// <summary>Repositories that could not be read, with the reason; the pass went on without them.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}
