using LocalEcr.Api;

namespace LocalEcr.Auth;

/// <summary>
/// Who signs with one access key: an account's long-term key, or a temporary key from AssumeRole with its session
/// token, expiry and role. Holds secrets: never logged (the record's text shows none).
/// </summary>
internal sealed record Principal(string AccountId, string AccessKeyId, string SecretKey, string? SessionToken = null, DateTimeOffset? Expiration = null, string? SessionArn = null)
{
    /// <summary>
    /// The caller's ARN as a request in <paramref name="region"/> sees it. A session keeps the partition of the role
    /// it was issued for; LocalEcr's accounts serve every region, so their user's partition is the request's.
    /// </summary>
    public string ArnIn(string region) => SessionArn ?? $"arn:{RegionPartition.IdOf(region)}:iam::{AccountId}:user/localecr";

    /// <summary>False for a session used in another partition than its role's, which AWS does not know there.</summary>
    public bool IsValidIn(string region) =>
        SessionArn is null || SessionArn.Split(':')[1] == RegionPartition.IdOf(region);

    public override string ToString() => $"Principal {{ {SessionArn ?? "account " + AccountId}, {AccessKeyId} }}";
}
