using System.Text.RegularExpressions;

namespace Replicator.Function.Observability;

/// <summary>
/// The last guard before output: removes what looks like a presigned URL query, a credential or a token from
/// any text that reaches logs, metrics or a runtime error. Callers should not pass secrets in the first place;
/// this catches what an exception message from a dependency might carry (e.g. a GetDownloadUrlForLayer URL).
/// </summary>
public static partial class Redactor
{
    public const string Mask = "[redacted]";

    // Any URL query: presigned S3 URLs carry X-Amz-Signature/Credential/Security-Token there, and no query we log is needed.
    [GeneratedRegex(@"(?<url>[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#""'<>]+)\?[^\s""'<>]*", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex UrlQuery();

    // key=value and key: value pairs whose key names a secret (also outside a URL, e.g. in a header dump).
    [GeneratedRegex(@"(?<key>X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|X-Amz-SignedHeaders|Signature|Credential|[a-z_-]*token|[a-z_-]*secret[a-z_]*|password|passwd|aws_access_key_id|authorization)(?<sep>\s*[=:]\s*|""\s*:\s*"")(?<value>[^\s&,;""']+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex SecretPair();

    // "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." and "Bearer xyz".
    [GeneratedRegex(@"(?:AWS4-HMAC-SHA256|Bearer|Basic)\s+[^\s""']+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AuthorizationScheme();

    // Access key ids: AKIA (long-term), ASIA (temporary) and the other documented IAM prefixes, 20 characters.
    [GeneratedRegex(@"\b(?:AKIA|ASIA|AIDA|AROA|ABIA|ACCA)[A-Z0-9]{16}\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AccessKeyId();

    // A secret access key is 40 base64 characters; session tokens are long base64 runs. Mixed case keeps hex digests out.
    [GeneratedRegex(@"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40,}(?![A-Za-z0-9/+=])", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LongBase64();

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        try
        {
            var result = UrlQuery().Replace(text, m => m.Groups["url"].Value + "?" + Mask);
            result = AuthorizationScheme().Replace(result, Mask);
            result = SecretPair().Replace(result, m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask);
            result = AccessKeyId().Replace(result, Mask);
            return LongBase64().Replace(result, m => LooksLikeSecret(m.Value) ? Mask : m.Value);
        }
        catch (RegexMatchTimeoutException)
        {
            // Fail closed: text too odd to scan in time is not printed at all.
            return Mask;
        }
    }

    private static bool LooksLikeSecret(string candidate)
    {
        var upper = candidate.Any(char.IsAsciiLetterUpper);
        var lower = candidate.Any(char.IsAsciiLetterLower);
        return upper && lower;
    }
}
