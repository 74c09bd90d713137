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
}
