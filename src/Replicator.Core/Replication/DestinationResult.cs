namespace Replicator.Core.Replication;

/// <summary>What happened in one destination.</summary>
public sealed record DestinationResult(
    ReplicationDestination Destination,
    ReplicationOutcome Outcome,
    string? Digest,
    int LayersCopied,
    int LayersSkipped,
    long BytesCopied,
    TimeSpan Duration,
    string? ErrorCode = null,
    string? Message = null,
    bool Transient = false)
{
    /// <summary>When the destination held the image (set by the engine on success): the end of the replication lag.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    public bool Succeeded => Outcome is not ReplicationOutcome.Failed;
}
