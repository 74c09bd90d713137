namespace LocalEcr.Auth;

/// <summary>The verdict on one request: the region of its credential scope and the access key that signed it, or the ECR error to answer.</summary>
internal sealed record SigV4Outcome(string? Region, string? ErrorCode, string? ErrorMessage, string? AccessKeyId = null)
{
    public bool Valid => ErrorCode is null;

    public static SigV4Outcome Accept(string region, string accessKeyId) => new(region, null, null, accessKeyId);

    public static SigV4Outcome Refuse(string code, string message) => new(null, code, message);
}
