namespace Replicator.Core.Signing;

/// <summary>The switches of the SigV4 algorithm that differ between services (names as in the official test suite).</summary>
public sealed record SigV4Options
{
    public static readonly SigV4Options Default = new();

    /// <summary>Remove dot segments and collapse repeated slashes (every service but S3).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Send and sign <c>x-amz-content-sha256</c> (S3 needs it; ECR does not).</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>
    /// Sign <c>x-amz-security-token</c>. A few services (IoT, older STS paths) want it added after signing;
    /// the suite's <c>omit_session_token</c>.
    /// </summary>
    public bool SignSessionToken { get; init; } = true;
}
