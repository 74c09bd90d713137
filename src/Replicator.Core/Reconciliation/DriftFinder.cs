using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The reconciler's decisions, pure: which tags and referrers the destinations lack or hold elsewhere, and which
/// destination tags the source no longer has. No I/O; <see cref="DriftScanner"/> feeds it listings.
/// </summary>
public static class DriftFinder
{
    /// <summary>
    /// The selected source tags of one digest, each compared with every destination: a tag missing in one, or
    /// pointing at another digest, is one item naming the destinations that differ.
    /// </summary>
    public static IReadOnlyList<DriftItem> TagDrift(string repository, string digest, IEnumerable<string> tags, IReadOnlyList<DestinationListing> destinations)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(destinations);
        var items = new List<DriftItem>();
        foreach (var tag in tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var missing = destinations.Where(d => !d.Listing.Tags.ContainsKey(tag)).Select(d => d.Destination).ToList();
            var different = destinations.Where(d => HoldsElsewhere(d, tag, digest)).Select(d => d.Destination).ToList();
            if (missing.Count + different.Count > 0)
            {
                // One event heals both: the function copies to every destination and skips those already holding it.
                items.Add(new DriftItem(repository, digest, tag, different.Count > 0 ? DriftKind.DifferentDigest : DriftKind.MissingTag, [.. missing, .. different]));
            }
        }

        return items;
    }

    /// <summary>
    /// The destinations of <paramref name="items"/> that hold a tag at another digest, and so may need their repository's
    /// tag mutability to be known: no event can move an immutable tag.
    /// </summary>
    public static IReadOnlyList<ReplicationDestination> HoldingElsewhere(IReadOnlyList<DriftItem> items, IReadOnlyList<DestinationListing> destinations)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(destinations);
        return [.. destinations
            .Where(d => items.Any(i => i.Kind == DriftKind.DifferentDigest && i.Tag is { } tag && HoldsElsewhere(d, tag, i.Digest)))
            .Select(d => d.Destination)];
    }

    /// <summary>
    /// Takes out of <paramref name="items"/> the destinations that hold a tag at another digest where the tag is
    /// immutable (<paramref name="rules"/>; a destination without a rule counts as mutable): PutImage refuses to move it,
    /// so an event would be dead-lettered as ImmutableTagConflict on every pass. Each becomes a
    /// <see cref="DriftConflict"/>. An item keeps its other destinations (its kind is MissingTag when none of them holds
    /// the tag); the function copies an event to every destination, so such an event still reaches the conflicting one
    /// once, and from the next pass on, when the others hold the tag, only the conflict is left.
    /// </summary>
    public static DigestDrift WithoutConflicts(IReadOnlyList<DriftItem> items, IReadOnlyList<DestinationListing> destinations, string destinationRepository, IReadOnlyDictionary<ReplicationDestination, TagMutabilityRule> rules)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(rules);
        var kept = new List<DriftItem>();
        var conflicts = new List<DriftConflict>();
        foreach (var item in items)
        {
            if (item.Kind != DriftKind.DifferentDigest || item.Tag is not { } tag)
            {
                kept.Add(item);
                continue;
            }

            var blocked = destinations
                .Where(d => item.Destinations.Contains(d.Destination) && HoldsElsewhere(d, tag, item.Digest)
                    && rules.TryGetValue(d.Destination, out var rule) && rule.IsImmutable(tag))
                .ToList();
            if (blocked.Count == 0)
            {
                kept.Add(item);
                continue;
            }

            conflicts.AddRange(blocked.Select(d => new DriftConflict(item.Repository, tag, item.Digest, d.Destination, destinationRepository, d.Listing.Tags[tag])));
            var rest = item.Destinations.Where(d => !blocked.Exists(b => b.Destination == d)).ToList();
            if (rest.Count > 0)
            {
                var stillDifferent = destinations.Any(d => rest.Contains(d.Destination) && d.Listing.Tags.ContainsKey(tag));
                kept.Add(item with { Destinations = rest, Kind = stillDifferent ? DriftKind.DifferentDigest : DriftKind.MissingTag });
            }
        }

        return new DigestDrift(kept, conflicts);
    }

    /// <summary>True when <paramref name="destination"/> has <paramref name="tag"/> on a digest other than <paramref name="digest"/>.</summary>
    private static bool HoldsElsewhere(DestinationListing destination, string tag, string digest) =>
        destination.Listing.Tags.TryGetValue(tag, out var there) && !string.Equals(there, digest, StringComparison.Ordinal);

    /// <summary>True when every destination holds the digest: only then are its referrers worth listing for all of them
    /// (otherwise the image's own event brings them, as the engine copies referrers with their subject; an untagged
    /// subject, for which no event comes, is walked in the destinations that hold it).</summary>
    public static bool HeldEverywhere(string digest, IReadOnlyList<DestinationListing> destinations)
    {
        ArgumentNullException.ThrowIfNull(destinations);
        return destinations.All(d => d.Listing.Digests.Contains(digest));
    }

    /// <summary>
    /// The referrers of a subject <paramref name="destinations"/> all hold (every destination, or those holding a subject
    /// no event will bring elsewhere): those a destination lacks become items (a push by digest,
    /// as ECR emits for a referrer); the rest are returned in <paramref name="held"/>, to look for their own referrers.
    /// </summary>
    public static IReadOnlyList<DriftItem> ReferrerDrift(string repository, IEnumerable<string> referrers, IReadOnlyList<DestinationListing> destinations, out IReadOnlyList<string> held)
    {
        ArgumentNullException.ThrowIfNull(referrers);
        ArgumentNullException.ThrowIfNull(destinations);
        var items = new List<DriftItem>();
        var present = new List<string>();
        foreach (var referrer in referrers.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var lacking = destinations.Where(d => !d.Listing.Digests.Contains(referrer)).Select(d => d.Destination).ToList();
            if (lacking.Count > 0)
            {
                items.Add(new DriftItem(repository, referrer, null, DriftKind.MissingReferrer, lacking));
            }
            else
            {
                present.Add(referrer);
            }
        }

        held = present;
        return items;
    }

    /// <summary>
    /// Takes out of <paramref name="items"/> (<see cref="ReferrerDrift"/>'s) the destinations of a referrer that is a
    /// selected tagged image of its own (<paramref name="tagsByDigest"/>) and that lack one of its selected tags
    /// outright: that tag's own push (<see cref="TagDrift"/>, when the referrer's digest is compared) copies the referrer
    /// there, with its tag and its own referrers, so a push by digest beside it was a second event for the same copy.
    /// A destination that holds every such tag, some at another digest, keeps the push by digest: the tag's push may be
    /// held back there as an immutable tag conflict (<see cref="WithoutConflicts"/>), and then nothing else brings the
    /// referrer. An item left without destinations is dropped.
    /// </summary>
    public static IReadOnlyList<DriftItem> WithoutTaggedReferrers(IReadOnlyList<DriftItem> items, IReadOnlyDictionary<string, IReadOnlyList<string>> tagsByDigest, IReadOnlyList<DestinationListing> destinations)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(tagsByDigest);
        ArgumentNullException.ThrowIfNull(destinations);
        var kept = new List<DriftItem>();
        foreach (var item in items)
        {
            if (item.Kind != DriftKind.MissingReferrer || !tagsByDigest.TryGetValue(item.Digest, out var tags) || tags.Count == 0)
            {
                kept.Add(item);
                continue;
            }

            var rest = item.Destinations
                .Where(d => !destinations.Any(l => l.Destination == d && tags.Any(t => !l.Listing.Tags.ContainsKey(t))))
                .ToList();
            if (rest.Count > 0)
            {
                kept.Add(item with { Destinations = rest });
            }
        }

        return kept;
    }

    /// <summary>
    /// Destination tags within the tag filter that the source does not have at all (<paramref name="sourceTags"/> is
    /// every source tag, archived images included, so an archived source image is never taken for a deleted one).
    /// One DELETE per tag and destination digest: the function removes a tag only while it points at the digest named.
    /// </summary>
    public static IReadOnlyList<DriftItem> DeletedTags(string repository, IReadOnlySet<string> sourceTags, IReadOnlyList<DestinationListing> destinations, Func<string, bool> includeTag)
    {
        ArgumentNullException.ThrowIfNull(sourceTags);
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(includeTag);
        return [.. destinations
            .SelectMany(d => d.Listing.Tags.Where(t => !sourceTags.Contains(t.Key) && includeTag(t.Key)).Select(t => (Tag: t.Key, Digest: t.Value, d.Destination)))
            .GroupBy(x => (x.Tag, x.Digest))
            .OrderBy(g => g.Key.Tag, StringComparer.Ordinal).ThenBy(g => g.Key.Digest, StringComparer.Ordinal)
            .Select(g => new DriftItem(repository, g.Key.Digest, g.Key.Tag, DriftKind.DeletedTag, [.. g.Select(x => x.Destination)]))];
    }
}
