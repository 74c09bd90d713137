using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;

namespace Replicator.Testing;

/// <summary>
/// Reads back what one region of a registry holds, answering "absent" instead of throwing when the repository,
/// image or tag is missing: what the engine, function and CLI tests assert on.
/// </summary>
public sealed class RegistryProbe(IEcrClient client)
{
    /// <summary>The stored manifest by digest, or null when absent.</summary>
    public async Task<Image?> GetImageAsync(string repository, string digest)
    {
        try
        {
            var response = await client.BatchGetImageAsync(new BatchGetImageRequest
            {
                RepositoryName = repository,
                ImageIds = [new ImageIdentifier { ImageDigest = digest }],
                AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
            });
            return response.Images?.FirstOrDefault();
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>True when a manifest is stored under <paramref name="digest"/> and its bytes hash to it.</summary>
    public async Task<bool> HasVerifiedImageAsync(string repository, string digest) =>
        await GetImageAsync(repository, digest) is { ImageManifest: { } manifest } && Digest.Compute(System.Text.Encoding.UTF8.GetBytes(manifest)) == digest;

    /// <summary>The digest the tag points at, or null when the tag or repository is absent.</summary>
    public async Task<string?> TagDigestAsync(string repository, string tag)
    {
        try
        {
            var response = await client.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, ImageIds = [new ImageIdentifier { ImageTag = tag }] });
            return response.ImageDetails?.FirstOrDefault()?.ImageDigest;
        }
        catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.ImageNotFoundException or EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<bool> HasBlobAsync(string repository, string digest)
    {
        try
        {
            var response = await client.BatchCheckLayerAvailabilityAsync(new BatchCheckLayerAvailabilityRequest { RepositoryName = repository, LayerDigests = [digest] });
            return response.Layers?.Any(l => l.LayerAvailability == LayerAvailability.Available) == true;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return false;
        }
    }
}
