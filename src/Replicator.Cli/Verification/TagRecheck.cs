using Replicator.Cli.Inventory;
using Replicator.Cli.Selection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Verification;

/// <summary>
/// The tags <c>verify</c> found different, missing or extra, read again in the source: the source is listed before the
/// destinations, so a tag pushed, moved or deleted in between (and already replicated, as the function does within
/// seconds) reads as drift for a destination that agrees with the source. What the source says now settles them; what
/// it does not explain stands as compared.
/// </summary>
public static class TagRecheck
{
    /// <summary>
    /// The source is listed before the destinations, so a tag pushed anew in between, and already replicated (as the
    /// function does within seconds of the push), read "different digest": the source's listed digest against the
    /// destination's newer one, exit 1 for a destination that holds what the source holds. Each tag found different is
    /// read again in the source (DescribeImages by tag, botocore ECR model imageIds: one call per such tag, none
    /// without such drift); where it now names the destination's digest, the tag moved during the check and the
    /// destination already follows it: in sync, with the source's current digest (and the digest it was listed at, in
    /// <see cref="DriftEntry.ListedDigest"/>, for a referrer the tag no longer compares:
    /// <see cref="WithReferrersOfDeletedOrMovedTags"/>). Anything else stands as compared (a tag still different, gone
    /// from the source, or not answered by id).
    /// </summary>
    public static async Task<List<DriftEntry>> SettleMovedTagsAsync(IEcrClient source, string repository, List<DriftEntry> entries, CancellationToken cancellationToken)
    {
        var tags = entries.Where(IsDifferentTag).Select(e => e.Tag!).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count == 0)
        {
            return entries;
        }

        var now = new Dictionary<string, ImageDetail>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            try
            {
                var response = await source.DescribeImagesAsync(
                    new DescribeImagesRequest { RepositoryName = repository, ImageIds = [new ImageIdentifier { ImageTag = tag }] },
                    cancellationToken);
                if (response.ImageDetails?.FirstOrDefault(d => d.ImageDigest is not null) is { } detail)
                {
                    now[tag] = detail;
                }
            }
            catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.ImageNotFoundException or EcrErrorCodes.RepositoryNotFoundException)
            {
                // Gone from the source since its listing: the entry stands as compared.
            }
        }

        return [.. entries.Select(e => IsDifferentTag(e) && now.TryGetValue(e.Tag!, out var detail)
            && !string.Equals(detail.ImageDigest, e.SourceDigest, StringComparison.Ordinal)
            && string.Equals(detail.ImageDigest, e.DestinationDigest, StringComparison.Ordinal)
                ? e with
                {
                    SourceDigest = detail.ImageDigest,
                    ListedDigest = e.SourceDigest,
                    Status = DriftStatus.InSync,
                    SourceImageStatus = detail.ImageStatus is null || detail.ImageStatus == ImageStatus.Active ? null : detail.ImageStatus,
                }
                : e)];
    }

    /// <summary>
    /// The same race for a delete, and for a push. A tag the source listed, deleted there before a destination was
    /// listed, and already deleted in the destination by a replicator that replicates deletes (REPLICATE_DELETES), read
    /// "missing"; a tag pushed to the source after its listing, and already replicated there (as the function does
    /// within seconds of the push), read "extra": exit 1 both, for a destination that agrees with the source. Where a
    /// tag is found missing or extra, the source is listed again (once per such repository, as it was listed: every
    /// image in every status, so no call per tag however many there are, as in a destination not backfilled yet). A
    /// missing tag the source no longer has, or whose repository is gone, was deleted during the check:
    /// <see cref="DriftStatus.DeletedDuringCheck"/>, not drift; one the source still has, at any digest, stays missing.
    /// An extra tag the source now has within the selection, at the destination's digest, was pushed during the check
    /// and the destination already follows it: in sync at the source's current digest, as a tag moved during the check
    /// (<see cref="SettleMovedTagsAsync"/>); at another digest it is the source's tag at another digest there:
    /// different. One the source still lacks stays extra. A referrer compared as its own selected tag whose tag is
    /// found deleted during the check, or moved by it to the destination's digest (<see cref="SettleMovedTagsAsync"/>,
    /// which runs first), is compared as a referrer, from that same listing
    /// (<see cref="WithReferrersOfDeletedOrMovedTags"/>): <paramref name="taggedReferrers"/> are those referrers,
    /// compared as referrers with each destination and held back until now. A tag so moved off a referrer is one more
    /// reason to list the source again (once, as for missing and extra tags): that listing says whether the manifest
    /// the tag left is still held, and active.
    /// </summary>
    public static async Task<List<DriftEntry>> SettleListedTagsAsync(
        IEcrClient source, string repository, SelectionCriteria criteria, List<DriftEntry> entries, IReadOnlyList<DriftEntry> taggedReferrers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taggedReferrers);
        var referrersLeft = taggedReferrers.Select(r => (r.Destination, r.SourceDigest)).ToHashSet();
        if (!entries.Any(e => IsMissingTag(e) || IsExtraTag(e) || (e.ListedDigest is not null && referrersLeft.Contains((e.Destination, e.ListedDigest)))))
        {
            return entries;
        }

        var now = await ImageInventory.EveryImageAsync(source, null, repository, cancellationToken);
        return WithReferrersOfDeletedOrMovedTags(Settle(repository, criteria, entries, now), taggedReferrers, now ?? []);
    }

    private static List<DriftEntry> Settle(string repository, SelectionCriteria criteria, List<DriftEntry> entries, IReadOnlyList<ImageDetail>? now)
    {
        // The source's tags as the first listing was read (the tag filter, in every status; --since is not applied,
        // as for the tags that tell an extra one), so a tag now outside the selection is not taken for the source's.
        var tagged = (now ?? []).Where(d => d.ImageTags is { Count: > 0 }).ToList();
        var anyTag = tagged.SelectMany(d => d.ImageTags!).ToHashSet(StringComparer.Ordinal);
        var held = ImageSelector.SelectImages(repository, tagged, criteria, applySince: false)
            .GroupBy(i => i.Tag, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return [.. entries.Select(e =>
        {
            if (IsMissingTag(e))
            {
                // Deleted: the tag is gone from the source whatever the filter says of it.
                // A set, not a scan of the listing per tag: a destination not backfilled yet misses every tag.
                return anyTag.Contains(e.Tag!) ? e : e with { Status = DriftStatus.DeletedDuringCheck };
            }

            if (IsExtraTag(e) && held.TryGetValue(e.Tag!, out var pushed))
            {
                return e with
                {
                    SourceDigest = pushed.Digest,
                    Status = string.Equals(pushed.Digest, e.DestinationDigest, StringComparison.Ordinal) ? DriftStatus.InSync : DriftStatus.Different,
                    SourceImageStatus = pushed.IsActive ? null : pushed.Status,
                };
            }

            return e;
        })];
    }

    /// <summary>
    /// A referrer with a selected tag of its own (a tagged SBOM) is compared as that tag only. When that tag is found
    /// deleted during the check (<see cref="DriftStatus.DeletedDuringCheck"/>), or moved by it to the destination's
    /// digest (in sync at the new digest, its <see cref="DriftEntry.ListedDigest"/> the referrer's), the tag no longer
    /// compares it; where the source still holds the manifest (ECR deletes an image with its last tag, so after a
    /// delete it stays only under another tag, outside the selection, or pushed again by digest; a tag moved away leaves
    /// it untagged, still held), it is still a referrer of its subject, which sync copies with the subject's image, so
    /// it is compared as one: its entry in <paramref name="taggedReferrers"/> (in sync or missing, as compared with that
    /// destination) follows the tag's. Pure: <paramref name="now"/> is the source's listing made again (every image, in
    /// every status), in which the referrer must be active (as the walk lists referrers) and its subject held. Only in
    /// a destination where no tag entry of that digest still compares it (another selected tag of the manifest does),
    /// and once there.
    /// </summary>
    public static List<DriftEntry> WithReferrersOfDeletedOrMovedTags(IReadOnlyList<DriftEntry> entries, IReadOnlyList<DriftEntry> taggedReferrers, IReadOnlyList<ImageDetail> now)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(taggedReferrers);
        ArgumentNullException.ThrowIfNull(now);
        if (taggedReferrers.Count == 0 || !entries.Any(e => DigestLeft(e) is not null))
        {
            return [.. entries];
        }

        var held = now.Where(d => d.ImageDigest is not null).Select(d => d.ImageDigest!).ToHashSet(StringComparer.Ordinal);
        var active = now.Where(d => d.ImageDigest is not null && (d.ImageStatus is null || d.ImageStatus == ImageStatus.Active)).Select(d => d.ImageDigest!).ToHashSet(StringComparer.Ordinal);
        var stillCompared = entries.Where(e => !e.IsReferrer && e.Tag is not null && e.SourceDigest is not null && e.Status != DriftStatus.DeletedDuringCheck)
            .Select(e => (e.Destination, e.SourceDigest!)).ToHashSet();
        var standing = taggedReferrers
            .Where(r => active.Contains(r.SourceDigest!) && held.Contains(r.SubjectDigest!) && !stillCompared.Contains((r.Destination, r.SourceDigest!)))
            .GroupBy(r => (r.Destination, r.SourceDigest!))
            .ToDictionary(g => g.Key, g => g.First());
        var result = new List<DriftEntry>(entries.Count + standing.Count);
        foreach (var entry in entries)
        {
            result.Add(entry);
            if (DigestLeft(entry) is { } left && standing.Remove((entry.Destination, left), out var referrer))
            {
                result.Add(referrer);
            }
        }

        return result;
    }

    /// <summary>The digest a tag entry no longer compares: the one its tag named before a delete or a move during the check.</summary>
    private static string? DigestLeft(DriftEntry entry) => entry.IsReferrer || entry.Tag is null
        ? null
        : entry.Status == DriftStatus.DeletedDuringCheck ? entry.SourceDigest : entry.ListedDigest;

    private static bool IsExtraTag(DriftEntry entry) => entry.Status == DriftStatus.Extra && !entry.IsReferrer && entry.Tag is not null;

    private static bool IsMissingTag(DriftEntry entry) => entry.Status == DriftStatus.Missing && !entry.IsReferrer && entry.Tag is not null;

    private static bool IsDifferentTag(DriftEntry entry) => entry.Status == DriftStatus.Different && !entry.IsReferrer && entry.Tag is not null;
}
