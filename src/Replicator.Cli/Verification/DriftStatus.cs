namespace Replicator.Cli.Verification;

public enum DriftStatus
{
    /// <summary>The destination tag points at the source digest.</summary>
    InSync,

    /// <summary>The source tag is absent from the destination (or the repository is).</summary>
    Missing,

    /// <summary>The destination tag points at another digest.</summary>
    Different,

    /// <summary>The destination has a tag (within the selection) that the source does not.</summary>
    Extra,

    /// <summary>
    /// The source image is archived (or being restored) and the destination lacks the tag: it cannot be pulled, so
    /// nothing copies it until it is restored (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
    /// Reported so that the gap is seen, but not drift: verify still exits 0 for it.
    /// </summary>
    ArchivedNotReplicated,

    /// <summary>
    /// The destination could not be read for this repository, so nothing is known of its tags: its credentials could
    /// not be had (a role STS refuses, an SSM key pair missing), ECR refused the calls (AccessDeniedException, a key it
    /// does not recognize), or the repository mapping gives no valid name there. The entry has no tag and carries the
    /// reason (<see cref="DriftEntry.Reason"/>). Not in sync: verify exits 1 for it, as for drift, while the other
    /// destinations are still compared.
    /// </summary>
    Unreadable,

    /// <summary>
    /// The source would not list the referrers of the image that <see cref="DriftEntry.Tag"/> selects (or of some
    /// manifest below it or among its referrers), with an error a retry would meet again: botocore's ECR model lists
    /// <c>UnableToListUpstreamImageReferrersException</c> for a pull-through cache repository whose upstream cannot list
    /// them. The replicator copies such an image without those referrers; here nothing is known of them, so the entry
    /// (one per image and destination, its digest as <see cref="DriftEntry.SourceDigest"/>) carries the reason
    /// (<see cref="DriftEntry.Reason"/>) and, as <see cref="Unreadable"/>, is not in sync: verify exits 1 for it.
    /// </summary>
    ReferrersUnlisted,

    /// <summary>
    /// The source listed the tag, the destination lacks it, and the source no longer has it either: it was deleted
    /// in the source during the check (read again after the destination's listing), and a replicator that replicates
    /// deletes (REPLICATE_DELETES) already removed it there. Both sides agree; reported so that the report accounts
    /// for every tag it listed, but not drift: verify still exits 0 for it.
    /// </summary>
    DeletedDuringCheck,
}
