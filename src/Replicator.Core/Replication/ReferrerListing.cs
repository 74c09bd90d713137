using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;

namespace Replicator.Core.Replication;

/// <summary>
/// The direct referrers of one subject, through <c>ListImageReferrers</c> (botocore ECR model: <c>subjectId</c>,
/// <c>filter.artifactStatus</c>, up to <see cref="EcrLimits.ListImageReferrersMaxResults"/> a page), page after page
/// by the one token rule (<see cref="PageTokens"/>). The copy, the reconciler and the CLI's verify all list them here.
/// </summary>
public static class ReferrerListing
{
    /// <summary>
    /// The referrers of <paramref name="subjectDigest"/> that carry a digest, in ECR's order. Errors (a repository that
    /// does not exist included) are the caller's to read.
    /// </summary>
    /// <param name="client">The registry's client.</param>
    /// <param name="registryId">The registry (null: the caller's account).</param>
    /// <param name="repository">The repository holding the subject.</param>
    /// <param name="subjectDigest">The subject.</param>
    /// <param name="artifactStatus">ACTIVE, ARCHIVED or ANY (<see cref="ArtifactStatusFilter"/>).</param>
    /// <param name="pageSize">maxResults, 1..50.</param>
    /// <param name="cap">Once more than this many are listed no further page is asked for (null: every page).</param>
    /// <param name="beforePage">Awaited before each page with the token it will send (null for the first): pacing, a stop check.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<IReadOnlyList<ImageReferrer>> ListAsync(
        IEcrClient client,
        string? registryId,
        string repository,
        string subjectDigest,
        string artifactStatus,
        int pageSize = EcrLimits.ListImageReferrersMaxResults,
        int? cap = null,
        Func<string?, CancellationToken, ValueTask>? beforePage = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var referrers = new List<ImageReferrer>();
        var request = new ListImageReferrersRequest
        {
            RegistryId = registryId,
            RepositoryName = repository,
            SubjectId = new SubjectIdentifier { ImageDigest = subjectDigest },
            Filter = new ListImageReferrersFilter { ArtifactStatus = artifactStatus },
            MaxResults = pageSize,
        };
        do
        {
            if (beforePage is not null)
            {
                await beforePage(request.NextToken, cancellationToken);
            }

            var page = await client.ListImageReferrersAsync(request, cancellationToken);
            referrers.AddRange((page.Referrers ?? []).Where(r => r.Digest is not null));
            request.NextToken = referrers.Count > cap ? null : PageTokens.Next(page.NextToken, request.NextToken);
        }
        while (request.NextToken is not null);

        return referrers;
    }

    /// <summary>
    /// Whether <paramref name="error"/>, from <see cref="ListAsync"/>, leaves the referrers unlisted on a retry too: not a
    /// cancellation, and an error whose retry verdict (the one a copy that failed with it gets) is "permanent".
    /// botocore's ECR model lists <see cref="EcrErrorCodes.UnableToListUpstreamImageReferrersException"/> for
    /// ListImageReferrers, which is what a pull-through cache repository answers while its upstream cannot list them,
    /// and neither the SDKs' retry lists nor this replicator's name it; also InvalidParameterException and
    /// ValidationException. Referrers are an add-on to their subject, so the callers go on without them and say so,
    /// rather than fail the subject (or everything after it) on every try. A repository that does not exist is read
    /// by the callers before this; a transient error (throttling, a 5xx, an expired token) is still theirs to fail on,
    /// so the work is retried.
    /// </summary>
    /// <param name="error">What <see cref="ListAsync"/> threw.</param>
    public static bool IsLastingFailure(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is not OperationCanceledException && !FailureClassifier.Classify(error, null, CancellationToken.None).Transient;
    }
}
