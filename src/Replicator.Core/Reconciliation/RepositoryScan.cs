namespace Replicator.Core.Reconciliation;

/// <summary>
/// One source repository and its destinations, as listed at the start of its walk: every source tag (archived
/// images included), the selected tags of each active digest, the referrers of each subject, and the listing of each
/// destination that could be read.
/// </summary>
public sealed record RepositoryScan(
    string Repository,
    string? RegistryId,
    IReadOnlySet<string> SourceTags,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TagsByDigest,
    IReadOnlyList<DestinationListing> Destinations)
{
    /// <summary>
    /// The selected digests that are indexes (OCI image index, Docker manifest list), from DescribeImages'
    /// <c>imageManifestMediaType</c>: their children can have referrers of their own (a per-platform signature).
    /// </summary>
    public IReadOnlySet<string> IndexDigests { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The referrers of each subject, from the source listing's <c>subjectManifestDigest</c>; null when the listing gave
    /// a reason to doubt them (<see cref="SubjectReferrers.Trusted"/>): each subject's referrers are then asked of
    /// ListImageReferrers.
    /// </summary>
    public SubjectReferrers? Referrers { get; init; }

    /// <summary>
    /// The destinations whose listing failed, with the reason: absent from <see cref="Destinations"/>, so the drift and
    /// deletes found are those of the destinations that could be read.
    /// </summary>
    public IReadOnlyList<DestinationFailure> FailedDestinations { get; init; } = [];

    /// <summary>
    /// The source tags the tag filter could not decide in time (<see cref="TagFilterTimeout"/>): left out of
    /// <see cref="TagsByDigest"/>, so no event is sent for them, while the repository's other tags are compared.
    /// </summary>
    public IReadOnlyList<TagFilterTimeout> TagFilterTimeouts { get; init; } = [];

    /// <summary>
    /// Untagged active subjects with referrers, outside <see cref="TagsByDigest"/> (<see cref="SubjectReferrers.UntaggedSubjects"/>):
    /// walked for their referrers only, in the destinations that hold them.
    /// </summary>
    public IReadOnlyList<string> UntaggedSubjects { get; init; } = [];

    /// <summary>
    /// The digests to walk in ordinal order, the order a resumed pass relies on: the selected ones and
    /// <see cref="UntaggedSubjects"/>.
    /// </summary>
    public IReadOnlyList<string> Digests => field ??= [.. TagsByDigest.Keys.Concat(UntaggedSubjects).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
