namespace LocalEcr.Auth;

/// <summary>The verdict on one request: the region of its credential scope, or the ECR error to answer.</summary>
internal sealed record SigV4Outcome(string? Region, string? ErrorCode, string? ErrorMessage)
{
    public bool Valid => ErrorCode is null;

    public static SigV4Outcome Accept(string region) => new(region, null, null);

    public static SigV4Outcome Refuse(string code, string message) => new(null, code, message);
}
