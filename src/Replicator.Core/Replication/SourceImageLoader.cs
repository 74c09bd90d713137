using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Fetches the source image by digest (pulling by digest never converts the manifest) with every accepted
/// media type, then every manifest below an index, and resolves where the tag points now (for the late-event
/// rule). Returns null when the image no longer exists at the source: a stale event, not a failure.
/// </summary>
internal sealed class SourceImageLoader
{

    public async Task<SourceImage?> LoadAsync(IEcrClient source, ImageReference reference, CancellationToken cancellationToken)
    {
        var (root, tagDigest) = await FetchRootAsync(source, reference, cancellationToken);
        if (root is null)
        {
            return null;
        }

        var descendants = await FetchDescendantsAsync(source, reference, root, cancellationToken);
        var applyTag = reference.Tag is not null && TagDecision.ShouldMoveTag(root.ReferenceDigest, tagDigest);
        return SourceImage.Create(root, descendants, referrers: null, reference.Tag, applyTag);
    }

    private async Task<(Manifest? Root, string? TagDigest)> FetchRootAsync(IEcrClient source, ImageReference reference, CancellationToken cancellationToken)
    {
        // One call answers both questions: the image by digest, and where the tag points now.
        var ids = new List<ImageIdentifier>(2);
        if (reference.Digest is not null)
        {
            ids.Add(new ImageIdentifier { ImageDigest = reference.Digest });
        }

        if (reference.Tag is not null)
        {
            ids.Add(new ImageIdentifier { ImageTag = reference.Tag });
        }

        var images = await GetImagesAsync(source, reference, ids, cancellationToken);
        if (images is null)
        {
            return (null, null);
        }

        var tagDigest = reference.Tag is null
            ? null
            : images.FirstOrDefault(i => i.ImageId?.ImageTag == reference.Tag)?.ImageId?.ImageDigest;
        var digest = reference.Digest ?? tagDigest;
        if (digest is null)
        {
            return (null, null);
        }

        var byDigest = images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest && i.ImageId?.ImageTag is null);
        if (byDigest is null)
        {
            // Resolved through the tag only: fetch by digest so the bytes are the stored ones, never a conversion.
            var exact = await GetImagesAsync(source, reference, [new ImageIdentifier { ImageDigest = digest }], cancellationToken);
            byDigest = exact?.FirstOrDefault();
            if (byDigest is null)
            {
                return (null, null);
            }
        }

        return (Parse(byDigest, digest), tagDigest);
    }

    private async Task<List<Manifest>> FetchDescendantsAsync(IEcrClient source, ImageReference reference, Manifest root, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Manifest>(StringComparer.Ordinal);
        var pending = root.Manifests.Select(d => d.Digest).Distinct(StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            var next = new List<string>();
            foreach (var chunk in Batches.Chunk(pending, Batches.ManifestFetchBatchSize))
            {
                var images = await GetImagesAsync(source, reference, [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })], cancellationToken) ?? [];
                foreach (var digest in chunk)
                {
                    var image = images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest)
                        ?? throw new ReplicationException(
                            ReplicationErrorCodes.SourceImageNotFound,
                            $"the source index {root.ReferenceDigest} names {digest}, which the source repository does not hold",
                            isTransient: false);
                    var manifest = Parse(image, digest);
                    found[digest] = manifest;
                    next.AddRange(manifest.Manifests.Select(d => d.Digest).Where(d => !found.ContainsKey(d)));
                }
            }

            pending = [.. next.Distinct(StringComparer.Ordinal)];
        }

        return [.. found.Values];
    }

    /// <summary>BatchGetImage; null when the repository is gone. Missing images are simply absent from the list.</summary>
    private async Task<List<Image>?> GetImagesAsync(IEcrClient source, ImageReference reference, List<ImageIdentifier> ids, CancellationToken cancellationToken)
    {
        var request = new BatchGetImageRequest
        {
            RegistryId = reference.RegistryId,
            RepositoryName = reference.RepositoryName,
            ImageIds = ids,
            AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
        };
        try
        {
            var response = await source.BatchGetImageAsync(request, cancellationToken);

            // Only "not found" means stale; any other refusal (KmsError, Upstream..., ImageInaccessible) must surface.
            if (response.Failures?.FirstOrDefault(f => f.FailureCode is not (ImageFailureCode.ImageNotFound or null)) is { } failure)
            {
                throw new ReplicationException(
                    failure.FailureCode!,
                    $"the source refused {failure.ImageId?.ImageDigest ?? failure.ImageId?.ImageTag}: {failure.FailureCode}: {failure.FailureReason}",
                    isTransient: failure.FailureCode is ImageFailureCode.UpstreamTooManyRequests or ImageFailureCode.UpstreamUnavailable);
            }

            return response.Images ?? [];
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    private static Manifest Parse(Image image, string digest)
    {
        try
        {
            return ManifestParser.Parse(image.ImageManifest ?? string.Empty, image.ImageManifestMediaType, digest);
        }
        catch (ManifestException e)
        {
            throw new ReplicationException(ReplicationErrorCodes.InvalidManifest, $"source manifest {digest}: {e.Message}", isTransient: false, e);
        }
    }
}
