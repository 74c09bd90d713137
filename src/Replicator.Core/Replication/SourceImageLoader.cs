using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Fetches the source image by digest (pulling by digest never converts the manifest) with every accepted
/// media type, then every manifest below an index, and resolves where the tag points now (for the late-event
/// rule), then the referrers of all of them (ListImageReferrers, recursively: a signature of an SBOM of the image),
/// then the sizes schema 1 manifests do not declare and the foreign layers the source holds
/// (BatchCheckLayerAvailability), so the plans made from the image are complete. Returns null when the image no longer
/// exists at the source: a stale event, not a failure. Referrers the source will not list (a pull-through cache
/// repository whose upstream cannot) are left out and counted (<see cref="SourceImage.ReferrersUnlisted"/>): the image
/// is still copied.
/// </summary>
internal sealed class SourceImageLoader
{
    /// <param name="signatures">
    /// When given (and on), the signatures ECR's managed signing is still making of the image and of the manifests an
    /// index lists are waited for before the referrers are listed, so one listing finds them. Not for a referrer: managed
    /// signing signs images, and a signature has a subject.
    /// </param>
    public async Task<SourceImage?> LoadAsync(IEcrClient source, ImageReference reference, SourceSignatureWait? signatures, CancellationToken cancellationToken)
    {
        var (root, tagDigest) = await FetchRootAsync(source, reference, cancellationToken);
        if (root is null)
        {
            return null;
        }

        var descendants = await SourceManifests.FetchDescendantsAsync(source, reference, root, cancellationToken);
        if (descendants is null)
        {
            return null;
        }

        // Before the referrers are listed: a signature that ECR stores while the status is read is listed all the same.
        string? signingNote = null;
        if (signatures is { Enabled: true } && root.Subject is null)
        {
            List<string> signed = [root.ReferenceDigest, .. descendants.Where(d => d.Subject is null).Select(d => d.ReferenceDigest)];
            signingNote = await signatures.WaitAsync(source, reference, signed, cancellationToken);
        }

        var applyTag = reference.Tag is not null && TagDecision.ShouldMoveTag(root.ReferenceDigest, tagDigest);
        var (referrers, leftBehind, unlisted) = await SourceReferrerWalk.WalkAsync(source, reference, root, descendants, cancellationToken);
        var image = SourceImage.Create(root, descendants, referrers, reference.Tag, applyTag);
        return await WithSourceLayersAsync(
            source, reference, image with { ReferrersLeftBehind = leftBehind, ReferrersUnlisted = unlisted, SigningNote = signingNote }, cancellationToken);
    }

    /// <summary>
    /// What only the source's BatchCheckLayerAvailability tells, asked once per image and only when needed: the sizes
    /// Docker schema 1 does not declare (a layer the source does not hold stays unsized: only a destination that must
    /// copy it fails, as it would on the download), and which foreign layers the source holds
    /// (<see cref="SourceImage.HeldForeignLayers"/>). An image with neither costs no call.
    /// </summary>
    private static async Task<SourceImage> WithSourceLayersAsync(IEcrClient source, ImageReference reference, SourceImage image, CancellationToken cancellationToken)
    {
        var unsized = image.Manifests.SelectMany(m => m.Blobs).Where(b => b.Size == Descriptor.UnknownSize).Select(b => b.Digest);
        var foreign = image.Manifests.SelectMany(m => m.Layers).Where(l => l.IsNonDistributable).Select(l => l.Digest).ToHashSet(StringComparer.Ordinal);
        var asked = unsized.Concat(foreign).Distinct(StringComparer.Ordinal).ToList();
        if (asked.Count == 0)
        {
            return image;
        }

        var held = await AvailableLayers.SizesAsync(source, reference.RegistryId, reference.RepositoryName, asked, cancellationToken);
        return image with
        {
            BlobSizes = held.Where(s => s.Value >= 0).ToDictionary(StringComparer.Ordinal),
            HeldForeignLayers = held.Keys.Where(foreign.Contains).ToHashSet(StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// The <c>imageStatus</c> of an image the source holds but would not serve, or null when it does not hold it.
    /// ARCHIVED: ECR refuses to serve an archived image until it is restored
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html), so a retry cannot help. ACTIVATING
    /// (botocore's ECR model, <c>ImageStatus</c>): a restore is under way and the image is served once it is ACTIVE, so
    /// a retry can. Asked only after BatchGetImage found nothing, so a normal copy pays no extra call.
    /// </summary>
    public async Task<string?> UnservedStatusAsync(IEcrClient source, ImageReference reference, CancellationToken cancellationToken)
    {
        var id = reference.Digest is not null ? new ImageIdentifier { ImageDigest = reference.Digest } : new ImageIdentifier { ImageTag = reference.Tag };
        var detail = await ImageDescriptions.FindAsync(source, reference.RegistryId, reference.RepositoryName, id, cancellationToken);
        return detail?.ImageStatus;
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

        var images = await SourceManifests.GetImagesAsync(source, reference, ids, cancellationToken);
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
            var exact = await SourceManifests.GetImagesAsync(source, reference, [new ImageIdentifier { ImageDigest = digest }], cancellationToken);
            byDigest = exact?.FirstOrDefault();
            if (byDigest is null)
            {
                return (null, null);
            }
        }

        return (SourceManifests.Parse(byDigest, digest), tagDigest);
    }
}
