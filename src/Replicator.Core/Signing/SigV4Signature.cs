namespace Replicator.Core.Signing;

/// <summary>
/// The result of signing: the headers to add to the request (<c>x-amz-date</c>, <c>Authorization</c>, maybe
/// <c>x-amz-security-token</c> and <c>x-amz-content-sha256</c>), and the intermediate strings for tests.
/// Holds the session token, so its <see cref="ToString"/> shows neither it nor the headers.
/// </summary>
public sealed class SigV4Signature
{
    internal SigV4Signature(string canonicalRequest, string stringToSign, string signature, string authorization, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        CanonicalRequest = canonicalRequest;
        StringToSign = stringToSign;
        Signature = signature;
        Authorization = authorization;
        Headers = headers;
    }

    public string CanonicalRequest { get; }

    public string StringToSign { get; }

    /// <summary>Lowercase hex HMAC-SHA256.</summary>
    public string Signature { get; }

    /// <summary>The value of the <c>Authorization</c> header.</summary>
    public string Authorization { get; }

    /// <summary>Every header to set on the request, Authorization included.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public override string ToString() => $"SigV4Signature {{ Signature = {Signature} }}";
}
