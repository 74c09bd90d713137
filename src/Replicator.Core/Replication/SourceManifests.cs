using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Reads manifests from the source with BatchGetImage, by digest and with every accepted media type (so the bytes are the
/// stored ones, never a conversion), and parses them: the reads the loader (<see cref="SourceImageLoader"/>) and the
/// referrer walk (<see cref="SourceReferrerWalk"/>) share. A repository gone reads as nothing held, a stale event.
/// </summary>
internal static class SourceManifests
{
    /// <summary>
    /// Every manifest below <paramref name="root"/>, fetched by the digests its descriptors name. Null when a child is
    /// missing because <paramref name="root"/> itself is gone: an image deleted while it is copied loses its children
    /// as well, which is a stale event, not a broken index. A child missing under a root the source still holds is a
    /// permanent <see cref="ReplicationErrorCodes.SourceImageNotFound"/>.
    /// </summary>
    public static async Task<List<Manifest>?> FetchDescendantsAsync(IEcrClient source, ImageReference reference, Manifest root, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Manifest>(StringComparer.Ordinal);
        var pending = root.Manifests.DistinctBy(d => d.Digest, StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            var next = new List<Descriptor>();
            foreach (var chunk in Batches.ManifestFetches(pending.Select(d => (d.Digest, d.Size))))
            {
                List<Image> images;
                try
                {
                    images = await GetImagesAsync(source, reference, [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })], cancellationToken) ?? [];
                }
                catch (ReplicationException e) when (e.ErrorCode == ImageFailureCode.ImageInaccessible)
                {
                    // The other reading of ECR's answer for an archived image (docs/fidelity.md): settled by its status.
                    foreach (var digest in chunk)
                    {
                        if (await UnservedChildAsync(source, reference, root, digest, cancellationToken) is { } unserved)
                        {
                            throw unserved;
                        }
                    }

                    throw;
                }

                foreach (var digest in chunk)
                {
                    if (images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest) is not { } image)
                    {
                        if (!await HoldsAsync(source, reference, root.ReferenceDigest, cancellationToken))
                        {
                            return null;
                        }

                        if (await UnservedChildAsync(source, reference, root, digest, cancellationToken) is { } unserved)
                        {
                            throw unserved;
                        }

                        throw new ReplicationException(
                            ReplicationErrorCodes.SourceImageNotFound,
                            $"the source index {root.ReferenceDigest} names {digest}, which the source repository does not hold",
                            isTransient: false);
                    }

                    var manifest = Parse(image, digest);
                    found[digest] = manifest;
                    next.AddRange(manifest.Manifests.Where(d => !found.ContainsKey(d.Digest)));
                }
            }

            pending = [.. next.DistinctBy(d => d.Digest, StringComparer.Ordinal)];
        }

        return [.. found.Values];
    }

    /// <summary>
    /// Why the source did not serve <paramref name="digest"/>, a manifest below <paramref name="root"/>, when it holds
    /// it archived or still restoring: it is there but cannot be pulled
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html), so the image waits for the restore
    /// as an archived image does (<see cref="ReplicationErrorCodes.SourceImageArchived"/>, read as outcome Archived; or
    /// retried while ACTIVATING) instead of being reported as naming a manifest the repository does not hold. Null
    /// when it is neither.
    /// </summary>
    private static async Task<ReplicationException?> UnservedChildAsync(IEcrClient source, ImageReference reference, Manifest root, string digest, CancellationToken cancellationToken) =>
        (await ImageDescriptions.FindAsync(source, reference.RegistryId, reference.RepositoryName, new ImageIdentifier { ImageDigest = digest }, cancellationToken))?.ImageStatus switch
        {
            ImageStatus.Archived => new ReplicationException(
                ReplicationErrorCodes.SourceImageArchived,
                $"the source index {root.ReferenceDigest} names {digest}, which is archived in the source and cannot be pulled until it is restored",
                isTransient: false),
            ImageStatus.Activating => new ReplicationException(
                ReplicationErrorCodes.SourceImageActivating,
                $"the source index {root.ReferenceDigest} names {digest}, which is being restored from the archive (imageStatus ACTIVATING); retried until it is ACTIVE",
                isTransient: true),
            _ => null,
        };

    /// <summary>Whether the source still holds <paramref name="digest"/> (asked again, by digest).</summary>
    public static async Task<bool> HoldsAsync(IEcrClient source, ImageReference reference, string digest, CancellationToken cancellationToken) =>
        (await GetImagesAsync(source, reference, [new ImageIdentifier { ImageDigest = digest }], cancellationToken))?.Any(i => i.ImageId?.ImageDigest == digest) == true;

    /// <summary>
    /// The event's tag (<see cref="SourceImageLoader.LoadAsync"/>) refused as inaccessible for another image than the event's: it has
    /// moved on to an archived image, which for this event means what "not found" would.
    /// </summary>
    private static bool IsTagMovedToAnUnservedImage(ImageFailure failure, ImageReference reference) =>
        failure.FailureCode == ImageFailureCode.ImageInaccessible
        && reference is { Digest: not null, Tag: not null }
        && failure.ImageId?.ImageTag == reference.Tag
        && failure.ImageId.ImageDigest != reference.Digest;

    /// <summary>BatchGetImage; null when the repository is gone. Missing images are simply absent from the list.</summary>
    public static async Task<List<Image>?> GetImagesAsync(IEcrClient source, ImageReference reference, List<ImageIdentifier> ids, CancellationToken cancellationToken)
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

            // Only "not found" means stale; any other refusal (KmsError, Upstream..., ImageInaccessible) must surface,
            // but for the tag of a late event that has moved on to an image the source cannot serve (archived).
            if (response.Failures?.FirstOrDefault(f => f.FailureCode is not (ImageFailureCode.ImageNotFound or null) && !IsTagMovedToAnUnservedImage(f, reference)) is { } failure)
            {
                throw new ReplicationException(
                    failure.FailureCode!,
                    $"the source refused {failure.ImageId?.ImageDigest ?? failure.ImageId?.ImageTag}: {failure.FailureCode}: {failure.FailureReason}",
                    isTransient: ImageFailureCode.IsTransient(failure.FailureCode));
            }

            return response.Images ?? [];
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    public static Manifest Parse(Image image, string digest)
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
