namespace Replicator.Core.Planning;

/// <summary>
/// Manifests whose referrers the source would not list, with a lasting error (a pull-through cache repository whose
/// upstream cannot list them answers <c>UnableToListUpstreamImageReferrersException</c>): how many were refused, and
/// the first refusal. Their referrers, whatever they are, were not brought along.
/// </summary>
/// <param name="Subjects">The manifests whose listing was refused.</param>
/// <param name="ErrorCode">The first refusal's error code.</param>
/// <param name="Reason">The first refusal as the logs quote an error: the operation, code, ECR's message, the request id.</param>
public sealed record UnlistedReferrers(int Subjects, string ErrorCode, string Reason)
{
    /// <summary>"the source would not list the referrers of 2 manifest(s) (ListImageReferrers: Code: message ...)".</summary>
    public override string ToString() => $"the source would not list the referrers of {Subjects} manifest(s) ({Reason})";
}
