using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The manifests an index (OCI image index, Docker manifest list) lists, read from the source: their referrers (a
/// per-platform signature) travel with the index's copy, so whoever checks referrers (the reconciler's
/// <see cref="DriftScanner"/>, <c>replicator verify</c>) follows them too.
/// </summary>
public static class IndexChildren
{
    /// <summary>
    /// The child digests of <paramref name="digest"/>, from one BatchGetImage. Empty when the image is gone since it was
    /// listed, or not an index, or its manifest is malformed: a malformed index cannot be copied either, and the replication
    /// of its push reports that.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DigestsAsync(IEcrClient source, string? registryId, string repository, string digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var response = await source.BatchGetImageAsync(
            new BatchGetImageRequest
            {
                RegistryId = registryId,
                RepositoryName = repository,
                ImageIds = [new ImageIdentifier { ImageDigest = digest }],
                AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
            },
            cancellationToken);

        if (response.Images?.FirstOrDefault(i => i.ImageManifest is not null) is not { } image)
        {
            return [];
        }

        try
        {
            return [.. ManifestParser.Parse(image.ImageManifest!, image.ImageManifestMediaType, digest).Manifests.Select(m => m.Digest)];
        }
        catch (ManifestException)
        {
            return [];
        }
    }
}
