namespace Replicator.Core.Errors;

/// <summary>Codes of failures the engine raises itself; ECR's own codes pass through unchanged.</summary>
public static class ReplicationErrorCodes
{
    /// <summary>The request itself is invalid (a repository name, digest or tag ECR would refuse): nothing was called.</summary>
    public const string InvalidRequest = "InvalidRequest";

    /// <summary>The downloaded bytes do not hash to the descriptor's digest: nothing was published.</summary>
    public const string DigestMismatch = "BlobDigestMismatch";

    /// <summary>The download returned more or fewer bytes than the descriptor says.</summary>
    public const string SizeMismatch = "BlobSizeMismatch";

    /// <summary>The download kept failing after every resume attempt.</summary>
    public const string DownloadFailed = "BlobDownloadFailed";

    /// <summary>ECR handed out a download URL that is not https while no endpoint override is set.</summary>
    public const string InsecureDownloadUrl = "InsecureDownloadUrl";

    /// <summary>A manifest could not be parsed or has a media type the replicator does not know.</summary>
    public const string InvalidManifest = "InvalidManifest";

    /// <summary>The tag exists in an immutable destination repository with another digest.</summary>
    public const string ImmutableTagConflict = "ImmutableTagConflict";

    /// <summary>The source repository uses KMS and no key is configured for the destination region.</summary>
    public const string KmsKeyNotConfigured = "KmsKeyNotConfigured";

    /// <summary>The caller's deadline ran out before the copy finished.</summary>
    public const string DeadlineExceeded = "DeadlineExceeded";

    /// <summary>The source image no longer exists: the event is stale.</summary>
    public const string SourceImageNotFound = "SourceImageNotFound";

    /// <summary>
    /// A replicated delete whose tag (at any digest) or digest the source still holds: the delete arrived after a
    /// newer push of the same tag, was redriven late, or was never the source's, so no destination loses it.
    /// </summary>
    public const string SourceImageStillPresent = "SourceImageStillPresent";

    /// <summary>REPOSITORY_MAPPING turns the source repository's name into one ECR refuses.</summary>
    public const string InvalidRepositoryMapping = "InvalidRepositoryMapping";

    /// <summary>The destination's credentials could not be had: the role could not be assumed, or the SSM parameter is missing or malformed.</summary>
    public const string DestinationCredentialsUnavailable = "DestinationCredentialsUnavailable";

    /// <summary>The source image is archived (ECR's archival storage class): it cannot be pulled until restored.</summary>
    public const string SourceImageArchived = "SourceImageArchived";

    /// <summary>
    /// The destination's replica is archived there, and the push that would restore it did not: ECR refused it for an
    /// immutable tag, or answered a push without a tag as already there. It stays unpullable until someone restores it
    /// in the destination.
    /// </summary>
    public const string ReplicaArchived = "ReplicaArchived";

    /// <summary>
    /// The destination's replica is being restored there (ACTIVATING) and the push did not make it ACTIVE: the restore
    /// already under way ends it (within 20 minutes, the ECR user guide says), so it is retried until the replica can
    /// be pulled, as <see cref="SourceImageActivating"/> is.
    /// </summary>
    public const string ReplicaActivating = "ReplicaActivating";

    /// <summary>The source image is being restored from the archive (ACTIVATING): it is retried until it can be pulled.</summary>
    public const string SourceImageActivating = "SourceImageActivating";

    /// <summary>The subject of a referrer could not be replicated to the destination first; the referrer waits for it.</summary>
    public const string SubjectNotReplicated = "SubjectNotReplicated";

    /// <summary>The subject of a referrer is not in the source: the referrer travels with its subject when that is pushed.</summary>
    public const string SubjectNotFound = "SubjectNotFound";

    /// <summary>
    /// An untagged image that is not a referrer, replicated only as selected (<see cref="Replication.ReplicationRequest.UntaggedReferrersOnly"/>):
    /// it enters a destination only as a child of a selected index, so it is not copied on its own.
    /// </summary>
    public const string UntaggedNotSelected = "UntaggedNotSelected";

    /// <summary>
    /// An untagged referrer replicated only as selected (<see cref="Replication.ReplicationRequest.UntaggedReferrersOnly"/>)
    /// whose subject the destination does not hold: it travels with its subject's selected tag, never drags the subject in.
    /// </summary>
    public const string SubjectNotHeld = "SubjectNotHeld";

    /// <summary>A layer larger than ECR's 52,000 MiB per-layer quota: no destination can take it.</summary>
    public const string LayerTooLarge = "LayerTooLarge";

    /// <summary>A zero-byte layer the destination lacks: the ECR API has no way to upload one.</summary>
    public const string EmptyLayer = "EmptyLayer";

    /// <summary>
    /// A destination's upload stood still for <see cref="Copy.BlobCopyOptions.FallBehindTimeout"/> while the other
    /// destinations of a shared download went on (its UploadLayerPart slow or hung): its call was cancelled and it left
    /// the download. Transient: redelivered, it copies alone.
    /// </summary>
    public const string DestinationFellBehind = "DestinationFellBehind";
}
