namespace Replicator.Core.Replication;

/// <summary>Replicate one source image to each destination, independently.</summary>
public sealed record ReplicationRequest(ImageReference Source, IReadOnlyList<ReplicationDestination> Destinations);
