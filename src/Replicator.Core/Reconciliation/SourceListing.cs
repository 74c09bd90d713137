namespace Replicator.Core.Reconciliation;

/// <summary>
/// A source repository's tagged images as <see cref="PacedListings.SourceImagesAsync"/> read them: the account its
/// images named, every tag (archived images included), the selected tags of each active digest, and which of those
/// digests are indexes.
/// </summary>
internal sealed record SourceListing(
    string? RegistryId,
    IReadOnlySet<string> SourceTags,
    IReadOnlyDictionary<string, IReadOnlyList<string>> TagsByDigest,
    IReadOnlySet<string> IndexDigests);
