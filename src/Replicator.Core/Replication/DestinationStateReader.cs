using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Finds out what one destination already holds, with as few calls as possible: the root digest first
/// (a repeated replication stops there: one DescribeImages), then the child manifests, then the blobs of
/// whatever is missing (BatchCheckLayerAvailability in chunks of 100).
/// </summary>
internal sealed class DestinationStateReader
{

    public async Task<DestinationState> ReadAsync(IEcrClient destination, string? registryId, string repository, SourceImage source, CancellationToken cancellationToken)
    {
        var root = source.Root.ReferenceDigest;
        List<ImageDetail> details;
        try
        {
            // Every status, then only an ACTIVE root counts as held: whether ECR applies the status filter (ACTIVE when
            // absent) to an image asked for by id is not documented (docs/fidelity.md, known unknowns). A replica the
            // destination archived (or is restoring) is not up to date: it cannot be pulled, and the PutImage of the
            // plan restores it ("re-pushing the image", archive-image.html), whichever reading ECR takes.
            var described = await destination.DescribeImagesAsync(
                    new DescribeImagesRequest
                    {
                        RegistryId = registryId,
                        RepositoryName = repository,
                        ImageIds = [new ImageIdentifier { ImageDigest = root }],
                        Filter = new DescribeImagesFilter { ImageStatus = ImageStatusFilter.Any },
                    },
                    cancellationToken);
            details = [.. (described.ImageDetails ?? []).Where(d => d.ImageStatus is null || d.ImageStatus == ImageStatus.Active)];
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return DestinationState.Missing;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageNotFoundException)
        {
            details = [];
        }

        var manifests = new HashSet<string>(StringComparer.Ordinal);
        string? tagDigest = null;
        if (details.Count > 0)
        {
            manifests.Add(root);
            if (source.Tag is not null && details[0].ImageTags?.Contains(source.Tag) == true)
            {
                tagDigest = root;
            }

            // The root and all below it, with nothing referring to them: nothing else to look up.
            if (source.Referrers.Count == 0)
            {
                return new DestinationState(true, new HashSet<string>(StringComparer.Ordinal), manifests, tagDigest) { RegistryId = details[0].RegistryId };
            }
        }

        // Everything below a present root is present too (ECR refused it otherwise); referrers are not, they can arrive
        // after the image, so they are looked up, with the manifests below an index referrer (which the root does not
        // list: taken for missing, each was put again and answered ImageAlreadyExists). Without the root, every manifest.
        var known = details.Count > 0 ? Below(source, source.Root) : [];
        await AddPresentManifestsAsync(
            destination,
            registryId,
            repository,
            source.Manifests.Where(m => m.ReferenceDigest != root && !known.Contains(m.ReferenceDigest)),
            manifests,
            cancellationToken);

        var partial = new DestinationState(true, new HashSet<string>(StringComparer.Ordinal), manifests, tagDigest) { RegistryId = details.FirstOrDefault()?.RegistryId };
        var blobs = await AvailableBlobsAsync(destination, registryId, repository, ReplicationPlanner.BlobsToCheck(source, partial), cancellationToken);
        return partial with { BlobDigests = blobs };
    }

    /// <summary>The digests of the manifests <paramref name="manifest"/> lists, and of those they list, down the image's tree.</summary>
    private static HashSet<string> Below(SourceImage source, Manifest manifest)
    {
        var below = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Manifest>([manifest]);
        while (pending.TryPop(out var current))
        {
            foreach (var child in current.Manifests)
            {
                if (below.Add(child.Digest) && source.Descendants.TryGetValue(child.Digest, out var next))
                {
                    pending.Push(next);
                }
            }
        }

        return below;
    }

    private static async Task<HashSet<string>> AvailableBlobsAsync(IEcrClient destination, string? registryId, string repository, IReadOnlyList<string> digests, CancellationToken cancellationToken) =>
        [.. (await AvailableLayers.SizesAsync(destination, registryId, repository, digests, cancellationToken)).Keys];

    private async Task AddPresentManifestsAsync(IEcrClient destination, string? registryId, string repository, IEnumerable<Manifest> children, HashSet<string> present, CancellationToken cancellationToken)
    {
        // A manifest the destination holds has the source's bytes (the same digest), so the source's sizes bound the answer.
        var distinct = children.DistinctBy(m => m.ReferenceDigest, StringComparer.Ordinal);
        foreach (var chunk in Batches.ManifestFetches(distinct.Select(m => (m.ReferenceDigest, m.Size))))
        {
            var response = await destination.BatchGetImageAsync(
                    new BatchGetImageRequest
                    {
                        RegistryId = registryId,
                        RepositoryName = repository,
                        ImageIds = [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })],
                        AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
                    },
                    cancellationToken);
            foreach (var image in response.Images ?? [])
            {
                if (image.ImageId?.ImageDigest is { } digest)
                {
                    present.Add(digest);
                }
            }
        }
    }
}
