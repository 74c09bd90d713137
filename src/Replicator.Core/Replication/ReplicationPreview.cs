using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>The plans of one request, one per destination in the request's order.</summary>
public sealed record ReplicationPreview(
    ImageReference Source,
    string SourceDigest,
    IReadOnlyList<(ReplicationDestination Destination, ReplicationPlan Plan)> Destinations);
