namespace LocalEcr.Auth;

/// <summary>
/// Who signs with one access key: an account's long-term key, or a temporary key from AssumeRole with its session
/// token, expiry and role. Holds secrets: never logged (the record's text shows none).
/// </summary>
internal sealed record Principal(string AccountId, string AccessKeyId, string SecretKey, string Arn, string? SessionToken = null, DateTimeOffset? Expiration = null)
{
    public override string ToString() => $"Principal {{ {Arn}, {AccessKeyId} }}";
}
