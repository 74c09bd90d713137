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
    /// <summary>
    /// Referrers one image brings along. Real images carry a handful (a signature, an SBOM, provenance); the bound
    /// keeps a hostile or runaway registry from turning one push into an unbounded walk. Referrers beyond it are left
    /// to their own push events and to the reconciler (<see cref="SourceImage.ReferrersLeftBehind"/>), which follows
    /// more of them per subject (<see cref="Reconciliation.DriftScanner.MaxReferrers"/>) because it enqueues each one
    /// as an event of its own rather than copying them in one invocation.
    /// </summary>
    public const int MaxReferrers = 500;

    public async Task<SourceImage?> LoadAsync(IEcrClient source, ImageReference reference, CancellationToken cancellationToken)
    {
        var (root, tagDigest) = await FetchRootAsync(source, reference, cancellationToken);
        if (root is null)
        {
            return null;
        }

        var descendants = await FetchDescendantsAsync(source, reference, root, cancellationToken);
        if (descendants is null)
        {
            return null;
        }

        var (referrers, leftBehind, unlisted) = await FetchReferrersAsync(source, reference, root, descendants, cancellationToken);
        var applyTag = reference.Tag is not null && TagDecision.ShouldMoveTag(root.ReferenceDigest, tagDigest);
        var image = SourceImage.Create(root, descendants, referrers, reference.Tag, applyTag);
        return await WithSourceLayersAsync(source, reference, image with { ReferrersLeftBehind = leftBehind, ReferrersUnlisted = unlisted }, cancellationToken);
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

    /// <summary>
    /// Every ACTIVE referrer of the root, its descendants and (recursively) of the referrers found, fetched by digest.
    /// The children of an index referrer join <paramref name="descendants"/>, where the planner looks them up.
    /// </summary>
    /// <remarks>
    /// Breadth first, so the referrers nearest the image (its own signatures and SBOMs) are the ones kept when the walk
    /// reaches <see cref="MaxReferrers"/>; the count of the others found by then is returned with them. Past the bound
    /// the walk stops listing, so that count is a lower bound. Referrers more than
    /// <see cref="ManifestWalker.MaxReferrerChain"/> links from the image are counted with them and not fetched: the
    /// planner would not push them, and each is still copied by its own push event (its subject chain being there).
    /// A subject whose listing the source refuses for good (<see cref="ReferrerListing.IsLastingFailure"/>) is counted
    /// in the <see cref="UnlistedReferrers"/> returned, and the walk goes on with the other subjects.
    /// </remarks>
    private async Task<(List<Manifest> Referrers, int LeftBehind, UnlistedReferrers? Unlisted)> FetchReferrersAsync(
        IEcrClient source, ImageReference reference, Manifest root, List<Manifest> descendants, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal) { root.ReferenceDigest };
        known.UnionWith(descendants.Select(d => d.ReferenceDigest));

        // Each subject with its referrer links from the image: 0 for the image and the manifests below it.
        var subjects = new Queue<(string Digest, int Chain)>(known.Select(d => (d, 0)));
        var referrers = new List<Manifest>();
        var leftBehind = 0;
        var refusals = new ReferrerRefusals();
        var full = false;
        while (!full && subjects.TryDequeue(out var next))
        {
            var (subject, chain) = next;
            var (listed, refused) = await ListReferrerDigestsAsync(source, reference, subject, cancellationToken);
            if (refused is not null)
            {
                refusals.Add(refused);
                continue;
            }

            var fresh = listed.Where(r => known.Add(r.Digest)).ToList();
            if (chain >= ManifestWalker.MaxReferrerChain)
            {
                leftBehind += fresh.Count;
                continue;
            }

            var room = MaxReferrers - referrers.Count;
            if (fresh.Count > room)
            {
                leftBehind += fresh.Count - room;
                fresh = fresh[..room];
                full = true;
            }

            foreach (var chunk in Batches.ManifestFetches(fresh))
            {
                var images = await GetImagesAsync(source, reference, [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })], cancellationToken) ?? [];
                foreach (var digest in chunk)
                {
                    // Deleted between the listing and the fetch: nothing to copy, the listing was only a hint.
                    if (images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest) is not { } image)
                    {
                        continue;
                    }

                    var referrer = Parse(image, digest);
                    var children = referrer.Manifests.Count > 0 ? await FetchDescendantsAsync(source, reference, referrer, cancellationToken) : [];
                    if (children is null)
                    {
                        // An index referrer deleted while its children were fetched: gone like one deleted before the fetch.
                        continue;
                    }

                    referrers.Add(referrer);
                    subjects.Enqueue((referrer.ReferenceDigest, chain + 1));
                    foreach (var child in children)
                    {
                        if (known.Add(child.ReferenceDigest))
                        {
                            descendants.Add(child);
                            subjects.Enqueue((child.ReferenceDigest, chain + 1));
                        }
                    }
                }
            }
        }

        return (referrers, leftBehind, refusals.Summary());
    }

    /// <summary>
    /// The digests of the ACTIVE direct referrers of <paramref name="subject"/>; with a refusal instead when the
    /// source will not list them on a retry either (<see cref="ReferrerListing.IsLastingFailure"/>). Any other error
    /// (throttling, a 5xx, an expired token) fails the load, so the record is retried.
    /// </summary>
    private static async Task<(List<(string Digest, long Size)> Referrers, Exception? Refusal)> ListReferrerDigestsAsync(
        IEcrClient source, ImageReference reference, string subject, CancellationToken cancellationToken)
    {
        try
        {
            // ACTIVE only (also ECR's default): an archived referrer cannot be pulled, so it cannot be copied.
            var referrers = await ReferrerListing.ListAsync(
                source, reference.RegistryId, reference.RepositoryName, subject, ArtifactStatusFilter.Active, cap: MaxReferrers, cancellationToken: cancellationToken);
            // With the size the listing declares, so that fetches stay under the response cap (Batches.ManifestFetches).
            return ([.. referrers.Select(r => (r.Digest!, r.Size ?? Descriptor.UnknownSize))], null);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return ([], null);
        }
        catch (Exception e) when (ReferrerListing.IsLastingFailure(e))
        {
            return ([], e);
        }
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

    /// <summary>
    /// Every manifest below <paramref name="root"/>, fetched by the digests its descriptors name. Null when a child is
    /// missing because <paramref name="root"/> itself is gone: an image deleted while it is copied loses its children
    /// as well, which is a stale event, not a broken index. A child missing under a root the source still holds is a
    /// permanent <see cref="ReplicationErrorCodes.SourceImageNotFound"/>.
    /// </summary>
    private async Task<List<Manifest>?> FetchDescendantsAsync(IEcrClient source, ImageReference reference, Manifest root, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, Manifest>(StringComparer.Ordinal);
        var pending = root.Manifests.DistinctBy(d => d.Digest, StringComparer.Ordinal).ToList();
        while (pending.Count > 0)
        {
            var next = new List<Descriptor>();
            foreach (var chunk in Batches.ManifestFetches(pending.Select(d => (d.Digest, d.Size))))
            {
                var images = await GetImagesAsync(source, reference, [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })], cancellationToken) ?? [];
                foreach (var digest in chunk)
                {
                    if (images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest) is not { } image)
                    {
                        if (!await HoldsAsync(source, reference, root.ReferenceDigest, cancellationToken))
                        {
                            return null;
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

    /// <summary>Whether the source still holds <paramref name="digest"/> (asked again, by digest).</summary>
    public async Task<bool> HoldsAsync(IEcrClient source, ImageReference reference, string digest, CancellationToken cancellationToken) =>
        (await GetImagesAsync(source, reference, [new ImageIdentifier { ImageDigest = digest }], cancellationToken))?.Any(i => i.ImageId?.ImageDigest == digest) == true;

    /// <summary>
    /// The event's tag (<see cref="FetchRootAsync"/>) refused as inaccessible for another image than the event's: it has
    /// moved on to an archived image, which for this event means what "not found" would.
    /// </summary>
    private static bool IsTagMovedToAnUnservedImage(ImageFailure failure, ImageReference reference) =>
        failure.FailureCode == ImageFailureCode.ImageInaccessible
        && reference is { Digest: not null, Tag: not null }
        && failure.ImageId?.ImageTag == reference.Tag
        && failure.ImageId.ImageDigest != reference.Digest;

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

            // Only "not found" means stale; any other refusal (KmsError, Upstream..., ImageInaccessible) must surface,
            // but for the tag of a late event that has moved on to an image the source cannot serve (archived).
            if (response.Failures?.FirstOrDefault(f => f.FailureCode is not (ImageFailureCode.ImageNotFound or null) && !IsTagMovedToAnUnservedImage(f, reference)) is { } failure)
            {
                throw new ReplicationException(
                    failure.FailureCode!,
                    $"the source refused {failure.ImageId?.ImageDigest ?? failure.ImageId?.ImageTag}: {failure.FailureCode}: {failure.FailureReason}",
                    isTransient: IsTransientFailure(failure.FailureCode));
            }

            return response.Images ?? [];
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// The BatchGetImage failure codes (botocore's ECR model, <c>ImageFailureCode</c>) a later try can get past: the
    /// pull-through cache's upstream throttling or outage, and <c>KmsError</c>. A <c>KmsError</c> failure carries no
    /// KMS code, so a throttled decrypt of a KMS-encrypted source image cannot be told from a disabled key; it is
    /// retried like a <c>KmsException</c> whose code says "throttled", since dead-lettering the image on a throttle
    /// loses it, while a lasting KMS refusal only costs the queue's bounded receives before it reaches the
    /// dead-letter queue all the same.
    /// </summary>
    private static bool IsTransientFailure(string? failureCode) =>
        failureCode is ImageFailureCode.UpstreamTooManyRequests or ImageFailureCode.UpstreamUnavailable or ImageFailureCode.KmsError;

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
