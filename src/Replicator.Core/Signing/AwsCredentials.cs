namespace Replicator.Core.Signing;

/// <summary>
/// One set of AWS credentials. <see cref="ToString"/> never shows the secret key or the session token:
/// the object can end up in a log line or an exception message through string interpolation.
/// </summary>
public sealed class AwsCredentials
{
    public AwsCredentials(string accessKeyId, string secretAccessKey, string? sessionToken = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessKeyId);
        ArgumentException.ThrowIfNullOrEmpty(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
        SessionToken = string.IsNullOrEmpty(sessionToken) ? null : sessionToken;
    }

    public string AccessKeyId { get; }

    public string SecretAccessKey { get; }

    /// <summary>Set for temporary (STS, role, SSO) credentials; sent as <c>X-Amz-Security-Token</c>.</summary>
    public string? SessionToken { get; }

    public override string ToString() =>
        $"AwsCredentials {{ AccessKeyId = {AccessKeyId}, SecretAccessKey = ***, SessionToken = {(SessionToken is null ? "none" : "***")} }}";
}
