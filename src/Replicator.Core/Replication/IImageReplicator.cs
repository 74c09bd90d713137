namespace Replicator.Core.Replication;

/// <summary>The engine's entry points, as the Lambda function and the CLI use them.</summary>
public interface IImageReplicator
{
    /// <summary>Copies the source image to every destination; never throws for a destination's failure (it is in the result).</summary>
    Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the tag (when <see cref="ImageReference.Tag"/> is set) or the digest from every destination.
    /// A destination that does not hold it is <see cref="ReplicationOutcome.Skipped"/>.
    /// </summary>
    Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken);
}
