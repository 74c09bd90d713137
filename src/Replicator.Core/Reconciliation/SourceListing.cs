namespace Replicator.Core.Reconciliation;

/// <summary>
/// A source repository's images as <see cref="PacedListings.SourceImagesAsync"/> read them: the account its images
/// named, every tag (archived images included), the selected tags of each active digest, which of those digests are
/// indexes, and the referrers of each subject (null when the listing gives a reason to doubt them:
/// <see cref="SubjectReferrers.Trusted"/>), and the tags left out because the tag filter's match on them timed out.
/// </summary>
internal sealed record SourceListing(
    string? RegistryId,
    IReadOnlySet<string> SourceTags,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TagsByDigest,
    IReadOnlySet<string> IndexDigests,
    SubjectReferrers? Referrers,
    IReadOnlyList<TagFilterTimeout> TagFilterTimeouts);
