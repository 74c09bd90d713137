using LocalEcr.Api;

namespace LocalEcr.Auth;

/// <summary>
/// Who signs with one access key: an account's long-term key, or a temporary key from AssumeRole with its session
/// token, expiry and role. Either belongs to one partition, its account's. Holds secrets: never logged (the record's
/// text shows none).
/// </summary>
internal sealed record Principal(
    string AccountId,
    string AccessKeyId,
    string SecretKey,
    string Partition,
    string? SessionToken = null,
    DateTimeOffset? Expiration = null,
    string? SessionArn = null)
{
    /// <summary>The caller's ARN: the assumed role's session, or the account's user, in the account's partition.</summary>
    public string Arn => SessionArn ?? $"arn:{Partition}:iam::{AccountId}:user/localecr";

    /// <summary>
    /// False for a request signed for a region of another partition: each partition has its own IAM, so there the key
    /// is unknown (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
    /// </summary>
    public bool IsValidIn(string region) => Partition == RegionPartition.IdOf(region);

    public override string ToString() => $"Principal {{ {SessionArn ?? "account " + AccountId}, {AccessKeyId}, {Partition} }}";
}
