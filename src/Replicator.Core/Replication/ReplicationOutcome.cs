namespace Replicator.Core.Replication;

public enum ReplicationOutcome
{
    /// <summary>Something was written: blobs, manifests or the tag.</summary>
    Replicated,

    /// <summary>The destination already held the image and tag: nothing was written.</summary>
    UpToDate,

    /// <summary>Nothing to do and nothing wrong, e.g. the source image no longer exists (a stale event).</summary>
    Skipped,

    /// <summary>Removed from the destination (delete replication).</summary>
    Deleted,

    /// <summary>
    /// The source image is archived (ECR archival storage class) and cannot be pulled: not copied, not retried.
    /// Replicas already made stay as they are.
    /// </summary>
    Archived,

    /// <summary>Not replicated; see <see cref="DestinationResult.Transient"/> to decide whether a retry can help.</summary>
    Failed,
}
