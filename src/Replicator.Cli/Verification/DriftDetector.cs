using Replicator.Cli.Inventory;
using Replicator.Cli.Selection;

namespace Replicator.Cli.Verification;

/// <summary>
/// Compares one destination repository with the source, tag by tag. Pure. <c>expected</c> are the
/// selected source tags (after --since); <c>sourceTags</c> every source tag within the tag filter, so that a tag
/// older than --since is neither expected nor reported as extra. Both sides are listed in every image status: an
/// archived image still holds its tags (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html), so
/// an archived replica is held, the tag of an archived source image is the source's, never extra, and one without a
/// replica is <see cref="DriftStatus.ArchivedNotReplicated"/>, not missing.
/// </summary>
public static class DriftDetector
{
    public static IReadOnlyList<DriftEntry> Compare(
        string repository,
        string destination,
        IReadOnlyList<SelectedImage> expected,
        IReadOnlySet<string> sourceTags,
        IReadOnlyList<SelectedImage>? destinationImages)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(sourceTags);
        var there = (destinationImages ?? []).GroupBy(i => i.Tag, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var entries = new List<DriftEntry>();
        foreach (var image in expected)
        {
            var held = there.GetValueOrDefault(image.Tag);

            // An archived source image cannot be pulled, so nothing copies it until it is restored (the function's
            // outcome Archived; sync and the reconciler leave it out): a replica made before is compared, none is its
            // own status, not drift.
            var status = held is null ? (image.IsActive ? DriftStatus.Missing : DriftStatus.ArchivedNotReplicated)
                : string.Equals(held.Digest, image.Digest, StringComparison.Ordinal) ? DriftStatus.InSync
                : DriftStatus.Different;
            entries.Add(new DriftEntry(repository, image.Tag, destination, image.Digest, held?.Digest, status)
            {
                SourceImageStatus = Inactive(image),
                DestinationImageStatus = held is null ? null : Inactive(held),
            });
        }

        foreach (var (tag, held) in there.Where(kv => !sourceTags.Contains(kv.Key)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            entries.Add(new DriftEntry(repository, tag, destination, null, held.Digest, DriftStatus.Extra) { DestinationImageStatus = Inactive(held) });
        }

        return entries;
    }

    private static string? Inactive(SelectedImage image) => image.IsActive ? null : image.Status;

    /// <summary>
    /// The referrers of one selected image in one destination: in sync when the destination lists the referrer under
    /// the same subject (digests are kept, so subject and referrer have the same digests there), else missing.
    /// <paramref name="destinationReferrers"/> maps each subject digest to the referrer digests the destination holds.
    /// </summary>
    public static IReadOnlyList<DriftEntry> CompareReferrers(
        string repository,
        string tag,
        string destination,
        IReadOnlyList<ReferrerEntry> referrers,
        IReadOnlyDictionary<string, IReadOnlySet<string>> destinationReferrers)
    {
        ArgumentNullException.ThrowIfNull(referrers);
        ArgumentNullException.ThrowIfNull(destinationReferrers);
        return [.. referrers.Select(r =>
        {
            var held = destinationReferrers.TryGetValue(r.SubjectDigest, out var there) && there.Contains(r.Digest);
            return new DriftEntry(repository, tag, destination, r.Digest, held ? r.Digest : null, held ? DriftStatus.InSync : DriftStatus.Missing)
            {
                SubjectDigest = r.SubjectDigest,
                ArtifactType = r.ArtifactType,
            };
        })];
    }
}
