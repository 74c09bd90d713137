using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// The referrers an image brings along (ListImageReferrers on the source, recursively: a signature of an SBOM of the
/// image), fetched so the plans made from the image can push each after its subject. A stage of
/// <see cref="SourceImageLoader"/>.
/// </summary>
internal static class SourceReferrerWalk
{
    /// <summary>
    /// Referrers one image brings along. Real images carry a handful (a signature, an SBOM, provenance); the bound
    /// keeps a hostile or runaway registry from turning one push into an unbounded walk. Referrers beyond it are left
    /// to their own push events and to the reconciler (<see cref="SourceImage.ReferrersLeftBehind"/>), which follows
    /// more of them per subject (<see cref="Reconciliation.DriftScanner.MaxReferrers"/>) because it enqueues each one
    /// as an event of its own rather than copying them in one invocation.
    /// </summary>
    public const int MaxReferrers = 500;

    /// <summary>
    /// Every ACTIVE referrer of <paramref name="root"/>, its descendants and (recursively) of the referrers found, fetched by digest.
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
    public static async Task<(List<Manifest> Referrers, int LeftBehind, UnlistedReferrers? Unlisted)> WalkAsync(
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
                var images = await SourceManifests.GetImagesAsync(source, reference, [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })], cancellationToken) ?? [];
                foreach (var digest in chunk)
                {
                    // Deleted between the listing and the fetch: nothing to copy, the listing was only a hint.
                    if (images.FirstOrDefault(i => i.ImageId?.ImageDigest == digest) is not { } image)
                    {
                        continue;
                    }

                    var referrer = SourceManifests.Parse(image, digest);
                    List<Manifest>? children;
                    try
                    {
                        children = referrer.Manifests.Count > 0 ? await SourceManifests.FetchDescendantsAsync(source, reference, referrer, cancellationToken) : [];
                    }
                    catch (ReplicationException e) when (e.ErrorCode is ReplicationErrorCodes.SourceImageArchived or ReplicationErrorCodes.SourceImageActivating)
                    {
                        // An index referrer with an archived (or restoring) manifest below it cannot be pulled whole, as an
                        // archived referrer cannot (not listed: ACTIVE only); the image it refers to is still copied.
                        continue;
                    }

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
}
