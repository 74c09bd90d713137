using Replicator.Core.Replication;

namespace Replicator.Function.Reconcile;

/// <summary>
/// What a run could not compare, with the reason: a repository that could not be read (or whose referrers the source
/// would not list), a destination of it that could not be listed, or the run as a whole (the cursor, the registry's
/// listing: no repository). The repository and destination are kept apart from the text so the run's log line carries
/// them as its <c>repository</c> and <c>destinationRegion</c> fields, as every other line about a repository or a
/// destination does: a Logs Insights filter on a repository then finds why the pass skipped it.
/// </summary>
/// <param name="Repository">The source repository, or null for a failure of the whole run.</param>
/// <param name="Destination">The destination that could not be listed, or null.</param>
/// <param name="Reason">The line's text, naming the repository and destination itself.</param>
public sealed record ReconcileFailure(string? Repository, ReplicationDestination? Destination, string Reason)
{
    public override string ToString() => Reason;
}
