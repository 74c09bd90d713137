using System.Security.Cryptography;
using System.Text;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Samples;

namespace Replicator.Cli.Demo;

/// <summary>
/// Reads back what the destinations hold for every manifest of the pushed image: the tag through DescribeImages,
/// each child by digest through BatchGetImage, hashing the returned bytes (a digest is only proved by the bytes).
/// </summary>
public static class DemoProof
{
    public static async Task<IReadOnlyList<ProofRow>> CollectAsync(
        IEcrClientProvider clients,
        IReadOnlyList<string> destinations,
        string repository,
        SampleImage image,
        string tag,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(image);
        var labels = Labels(image);
        var rows = new List<ProofRow>();
        // The tagged index first, then its children in push order.
        foreach (var manifest in image.Manifests.TakeLast(1).Concat(image.Manifests.SkipLast(1)))
        {
            var isRoot = ReferenceEquals(manifest, image.Root);
            var found = new List<string?>();
            foreach (var region in destinations)
            {
                var client = clients.GetClient(region);
                found.Add(isRoot
                    ? await TagDigestAsync(client, repository, tag, cancellationToken)
                    : await StoredDigestAsync(client, repository, manifest.Digest, cancellationToken));
            }

            rows.Add(new ProofRow(repository, isRoot ? tag : null, labels.GetValueOrDefault(manifest.Digest, "manifest"), manifest.Digest, found));
        }

        return rows;
    }

    private static async Task<string?> TagDigestAsync(IEcrClient client, string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, ImageIds = [new ImageIdentifier { ImageTag = tag }] }, cancellationToken);
            return response.ImageDetails?.FirstOrDefault()?.ImageDigest;
        }
        catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.ImageNotFoundException or EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The sha256 of the bytes the destination returns for <paramref name="digest"/>, or null when it has none.</summary>
    private static async Task<string?> StoredDigestAsync(IEcrClient client, string repository, string digest, CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.BatchGetImageAsync(
                new BatchGetImageRequest
                {
                    RepositoryName = repository,
                    ImageIds = [new ImageIdentifier { ImageDigest = digest }],
                    AcceptedMediaTypes = [.. MediaTypes.AcceptedManifestTypes],
                },
                cancellationToken);
            var manifest = response.Images?.FirstOrDefault()?.ImageManifest;
            return manifest is null ? null : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest)));
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>"index", the platform of each child, "attestation" for buildx attestation manifests.</summary>
    private static Dictionary<string, string> Labels(SampleImage image)
    {
        var root = ManifestParser.Parse(image.Root.Manifest, image.Root.MediaType);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal) { [image.Root.Digest] = root.Kind.ToString().ToLowerInvariant() };
        foreach (var child in root.Manifests)
        {
            labels[child.Digest] = child.Annotations.ContainsKey("vnd.docker.reference.type") ? "attestation" : child.Platform?.ToString() ?? "manifest";
        }

        return labels;
    }
}
