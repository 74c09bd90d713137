using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Cli.Inventory;

/// <summary>
/// The referrers of selected images, through <c>ListImageReferrers</c> (botocore's ECR model: <c>subjectId</c>,
/// <c>filter.artifactStatus</c>, up to 50 a page), as the engine lists them when it copies an image: recursively (a
/// signature of an SBOM of the image), ACTIVE ones in the source.
/// </summary>
public static class ReferrerInventory
{
    /// <summary>
    /// Referrers followed below one image, nested ones and those of an index's manifests included: the reconciler's
    /// bound (<see cref="DriftScanner.MaxReferrers"/>), since what verify reports as missing is what the reconciler
    /// finds and heals. A walk that reaches it stops (<see cref="ReferrerWalk.Capped"/>).
    /// </summary>
    public const int MaxReferrers = DriftScanner.MaxReferrers;

    /// <summary>
    /// Every ACTIVE referrer of <paramref name="subjectDigests"/> (an image, and for an index the manifests it lists:
    /// a per-platform signature is copied with the index too) and, breadth first, of the referrers found; each digest
    /// once, at most <see cref="MaxReferrers"/>. Empty when the repository does not exist or holds none of the
    /// subjects. A subject whose listing the source refuses for good (<see cref="ReferrerListing.IsLastingFailure"/>:
    /// a pull-through cache repository whose upstream cannot list them) is passed over and counted in
    /// <see cref="ReferrerWalk.Unlisted"/>, as the copy passes it over; any other error stops the walk.
    /// </summary>
    /// <param name="client">The source's client.</param>
    /// <param name="registryId">The source registry (null: the caller's account).</param>
    /// <param name="repository">The source repository.</param>
    /// <param name="subjectDigests">The image, and an index's manifests.</param>
    /// <param name="listed">
    /// The repository's own listing of referrers, when it is to be believed (<see cref="SubjectReferrers.Trusted"/>):
    /// a subject it names no active referrer of is not asked about, so an image without referrers costs no call.
    /// A subject it names referrers of is still asked, for their <c>artifactType</c>: ListImageReferrers answers the
    /// manifest's <c>artifactType</c> (else its config's media type), while DescribeImages' <c>artifactMediaType</c>
    /// may be the config's (the OCI empty config <c>application/vnd.oci.empty.v1+json</c> of an artifact that names its
    /// type in <c>artifactType</c>), so the listing cannot tell the type verify reports (botocore ECR model,
    /// ImageReferrer.artifactType and ImageDetail.artifactMediaType). Null: every subject is asked, as before.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<ReferrerWalk> WalkAsync(
        IEcrClient client, string? registryId, string repository, IReadOnlyList<string> subjectDigests, SubjectReferrers? listed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(subjectDigests);
        var found = new List<ReferrerEntry>();
        var known = new HashSet<string>(subjectDigests, StringComparer.Ordinal);
        var subjects = new Queue<string>(known.Order(StringComparer.Ordinal));
        var refusals = new ReferrerRefusals();
        var capped = false;
        while (!capped && subjects.TryDequeue(out var subject))
        {
            if (listed is not null && listed.Of(subject).Count == 0)
            {
                continue;
            }

            IReadOnlyList<ImageReferrer> referrers;
            try
            {
                referrers = await ListAsync(client, registryId, repository, subject, ArtifactStatusFilter.Active, MaxReferrers - found.Count, cancellationToken);
            }
            catch (Exception e) when (ReferrerListing.IsLastingFailure(e))
            {
                refusals.Add(e);
                continue;
            }

            foreach (var referrer in referrers)
            {
                if (referrer.Digest is { } digest && known.Add(digest))
                {
                    if (found.Count == MaxReferrers)
                    {
                        capped = true;
                        break;
                    }

                    found.Add(new ReferrerEntry(subject, digest, referrer.ArtifactType));
                    subjects.Enqueue(digest);
                }
            }
        }

        return new ReferrerWalk(found, refusals.Summary()) { Capped = capped };
    }

    private static async Task<IReadOnlyList<ImageReferrer>> ListAsync(
        IEcrClient client, string? registryId, string repository, string subjectDigest, string status, int? cap, CancellationToken cancellationToken)
    {
        try
        {
            return await ReferrerListing.ListAsync(client, registryId, repository, subjectDigest, status, cap: cap, cancellationToken: cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            // The only "not there" error botocore's ECR model lists for ListImageReferrers. A subject the repository
            // does not hold is not an error in the model: the answer is an empty list. Another answer (an unlisted
            // ImageNotFoundException) would stop verify with that error rather than be read as "no referrers"; verify
            // asks only the source, about subjects it holds (docs/fidelity.md).
            return [];
        }
    }
}
