using Replicator.Core.Manifests;

namespace Replicator.Core.Planning;

/// <summary>
/// Decides what to write to one destination, without I/O. Used in two passes: <see cref="BlobsToCheck"/> with the
/// manifests the destination holds, then (after BatchCheckLayerAvailability on those) <see cref="Plan"/> with the full
/// <see cref="DestinationState"/>.
/// </summary>
public static class ReplicationPlanner
{
    /// <summary>
    /// The distinct blob digests of the manifests the destination lacks, in manifest order: what to ask
    /// BatchCheckLayerAvailability about. Empty when the repository is missing (it holds nothing) or already holds
    /// every manifest. <see cref="DestinationState.BlobDigests"/> is not used.
    /// </summary>
    public static IReadOnlyList<string> BlobsToCheck(SourceImage source, DestinationState destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.RepositoryExists)
        {
            return [];
        }

        var walk = ManifestWalker.Walk(source, destination.ManifestDigests.Contains);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return [.. walk.ToPush.SelectMany(source.BlobsOf).Select(b => b.Digest).Where(seen.Add)];
    }

    public static ReplicationPlan Plan(SourceImage source, DestinationState destination)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var exists = destination.RepositoryExists;
        var walk = ManifestWalker.Walk(source, exists ? destination.ManifestDigests.Contains : static _ => false);

        var blobs = new List<CopyBlobStep>();
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        var nonDistributable = new HashSet<string>(StringComparer.Ordinal);
        var skipped = 0;
        foreach (var manifest in walk.ToPush)
        {
            nonDistributable.UnionWith(manifest.Layers.Where(l => l.IsNonDistributable && !source.HeldForeignLayers.Contains(l.Digest)).Select(l => l.Digest));
            foreach (var blob in source.BlobsOf(manifest))
            {
                if (seen.TryGetValue(blob.Digest, out var size))
                {
                    // One digest is one content: two sizes mean a corrupt manifest, and the copy would fail its size check.
                    if (size != blob.Size && size != Descriptor.UnknownSize && blob.Size != Descriptor.UnknownSize)
                    {
                        throw new ManifestException($"blob {blob.Digest} is declared with sizes {size} and {blob.Size} in manifest {manifest.ReferenceDigest}");
                    }

                    continue;
                }

                seen[blob.Digest] = blob.Size;

                if (exists && destination.BlobDigests.Contains(blob.Digest))
                {
                    skipped++;
                }
                else
                {
                    var known = blob.Size != Descriptor.UnknownSize ? blob.Size : source.BlobSizes.GetValueOrDefault(blob.Digest, Descriptor.UnknownSize);
                    blobs.Add(new CopyBlobStep(blob.Digest, known, blob.MediaType, blob.Data));
                }
            }
        }

        return new ReplicationPlan
        {
            RootDigest = source.Root.ReferenceDigest,
            CreateRepository = exists ? null : new CreateRepositoryStep(),
            Blobs = blobs,
            Manifests = ManifestSteps(source, destination, walk.ToPush),
            BytesToCopy = blobs.Where(b => b.Size > 0).Sum(b => b.Size),
            HasUnknownBlobSizes = blobs.Any(b => b.Size == Descriptor.UnknownSize),
            BlobsSkipped = skipped,
            ManifestsSkipped = walk.Skipped,
            NonDistributableSkipped = nonDistributable.Count,
            Tag = TagHeld(source, destination),
        };
    }

    /// <summary>
    /// The tag the destination holds at the root after the plan: moved there by it (<see cref="SourceImage.ApplyTag"/>),
    /// or already there. The same predicate <see cref="ManifestSteps"/> decides the tag's PutImage by.
    /// </summary>
    private static string? TagHeld(SourceImage source, DestinationState destination) =>
        source.Tag is not null && (source.ApplyTag || TagAlreadyRight(source, destination)) ? source.Tag : null;

    private static bool TagAlreadyRight(SourceImage source, DestinationState destination) =>
        destination.RepositoryExists && string.Equals(destination.TagDigest, source.Root.ReferenceDigest, StringComparison.Ordinal);

    /// <summary>
    /// The tag goes on the root's own PutImage when the root is the last write; when referrers of the root follow it
    /// (or the root is already there) a final, <see cref="PutImageStep.TagOnly"/> put of the root moves the tag once
    /// everything it leads to exists.
    /// </summary>
    private static List<PutImageStep> ManifestSteps(SourceImage source, DestinationState destination, IReadOnlyList<Manifest> toPush)
    {
        var root = source.Root;
        var steps = new List<PutImageStep>(toPush.Count + 1);
        steps.AddRange(toPush.Select(m => new PutImageStep(m.ReferenceDigest, m.MediaType, m.Raw, Tag: null)));

        if (!source.ApplyTag || source.Tag is null || TagAlreadyRight(source, destination))
        {
            return steps;
        }

        if (toPush.Count > 0 && ReferenceEquals(toPush[^1], root))
        {
            steps[^1] = steps[^1] with { Tag = source.Tag };
        }
        else
        {
            steps.Add(new PutImageStep(root.ReferenceDigest, root.MediaType, root.Raw, source.Tag, TagOnly: true));
        }

        return steps;
    }
}
