namespace Replicator.Core.Signing;

/// <summary>
/// The error codes with which an AWS service refuses a caller's credentials as expired, "The security token included
/// in the request is expired" (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html): the query
/// protocol's (STS) and the JSON protocol's (ECR, SSM, EventBridge). Here, beside the credentials they invalidate, so
/// that the code reading them needs no service's client.
/// </summary>
public static class ExpiredTokenCodes
{
    /// <summary>The query protocol's code (STS).</summary>
    public const string Query = "ExpiredToken";

    /// <summary>The JSON protocol's code (ECR, SSM, EventBridge).</summary>
    public const string Json = "ExpiredTokenException";

    /// <summary>Whether <paramref name="code"/> refuses the caller's credentials as expired, in either protocol.</summary>
    public static bool Is(string? code) => code is Query or Json;
}
