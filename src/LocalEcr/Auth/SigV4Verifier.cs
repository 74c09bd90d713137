using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace LocalEcr.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (header form) against one key pair: rebuilds the canonical request
/// from the received headers named in SignedHeaders and the hash of the received body, as the spec says
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). The secret of an access key
/// comes from a lookup by key and credential scope region: long-term keys of each account, and temporary keys
/// LocalEcr's STS handed out, each known only in the regions of its partition. The request's X-Amz-Date must be
/// within five minutes of <paramref name="clock"/>, as AWS requires.
/// </summary>
internal sealed class SigV4Verifier(Func<string, string, string?> secretFor, TimeProvider clock, string service = "ecr")
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    private const string AmzDateFormat = "yyyyMMdd'T'HHmmss'Z'";

    // "In most cases, a request must reach AWS within five minutes of the time stamp in the request. Otherwise, AWS
    // denies the request." (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html,
    // and "Time stamp errors" in https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-troubleshooting.html).
    // Both directions are refused: a clock behind or ahead of the server's by more than that.
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    public SigV4Verifier(string accessKey, string secretKey, TimeProvider clock, string service = "ecr")
        : this((id, _) => string.Equals(id, accessKey, StringComparison.Ordinal) ? secretKey : null, clock, service)
    {
    }

    public SigV4Outcome Verify(string method, string rawPath, string rawQuery, IEnumerable<KeyValuePair<string, StringValues>> headers, string bodySha256Hex)
    {
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            byName[name] = string.Join(',', values.Select(v => v ?? string.Empty));
        }

        if (!byName.TryGetValue("Authorization", out var authorization) || !authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return SigV4Outcome.Refuse("MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (!TryParseAuthorization(authorization[(Algorithm.Length + 1)..], out var credential, out var signedHeaders, out var signature))
        {
            return SigV4Outcome.Refuse("IncompleteSignatureException", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature'.");
        }

        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
        {
            return SigV4Outcome.Refuse("IncompleteSignatureException", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.");
        }

        if (secretFor(scope[0], scope[2]) is not { } secretKey)
        {
            return SigV4Outcome.Refuse("UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (scope[3] != service)
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", $"Credential should be scoped to correct service: '{service}'.");
        }

        if (!byName.TryGetValue("X-Amz-Date", out var amzDate) || amzDate.Length < 8 || amzDate[..8] != scope[1])
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", "Date in Credential scope does not match X-Amz-Date.");
        }

        if (RefuseOutsideWindow(amzDate) is { } stale)
        {
            return stale;
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host", StringComparer.Ordinal))
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", "'Host' must be a signed header.");
        }

        // AWS's signing guide requires the host header among the signed headers and, when the request carries a date or
        // x-amz-date header, that one too (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
        // "Create a canonical request"). X-Amz-Date is required above, so it is always present here; left unsigned, the
        // time stamp the five-minute window is checked on could be replaced without breaking the signature.
        if (!names.Contains("x-amz-date", StringComparer.Ordinal))
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", "'X-Amz-Date' must be a signed header.");
        }

        var canonical = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalPath(rawPath)).Append('\n')
            .Append(CanonicalQuery(rawQuery)).Append('\n');
        foreach (var name in names)
        {
            byName.TryGetValue(name, out var value);
            canonical.Append(name).Append(':').Append(CanonicalValue(value ?? string.Empty)).Append('\n');
        }

        // Always the body's own hash: UNSIGNED-PAYLOAD is S3's option, and the JSON services this verifier stands in for
        // (ECR, STS, EventBridge) sign the payload, so a signature over the literal does not match there either.
        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(bodySha256Hex);

        var stringToSign = string.Join('\n', Algorithm, amzDate, string.Join('/', scope[1..]), Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()))));
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), scope[1]);
        key = Hmac(key, scope[2]);
        key = Hmac(key, scope[3]);
        key = Hmac(key, "aws4_request");
        var expected = Encoding.ASCII.GetBytes(Hex(Hmac(key, stringToSign)));
        // The signature is the HMAC written in lower-case hexadecimal (create-signed-request.html, "Calculate the
        // signature"; every vector of the SigV4 test suite is lower case): compared as sent, so an upper-case spelling of
        // the right signature does not match, as at AWS.
        var received = Encoding.ASCII.GetBytes(signature);
        if (!CryptographicOperations.FixedTimeEquals(expected, received))
        {
            return SigV4Outcome.Refuse("InvalidSignatureException",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
        }

        return SigV4Outcome.Accept(scope[2], scope[0]);
    }

    // AWS's own wording, as clients see it: "Signature expired: 20131008T001036Z is now earlier than 20131008T001112Z
    // (20131008T001612Z - 5 min.)" (https://github.com/boto/botocore/issues/149) and "Signature not yet current:
    // 20181120T211543Z is still later than 20181120T211529Z (20181120T211029Z + 5 min.)"
    // (https://github.com/serverless/enterprise/issues/11), both InvalidSignatureException (HTTP 403 in those reports; ECR's
    // JSON endpoint answered it 400, https://github.com/upmc-enterprises/registry-creds/issues/24, as LocalEcr does).
    private SigV4Outcome? RefuseOutsideWindow(string amzDate)
    {
        if (!DateTimeOffset.TryParseExact(amzDate, AmzDateFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
        {
            return SigV4Outcome.Refuse("IncompleteSignatureException", $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'.");
        }

        var now = clock.GetUtcNow();
        string Format(DateTimeOffset at) => at.UtcDateTime.ToString(AmzDateFormat, CultureInfo.InvariantCulture);
        if (signedAt < now - Skew)
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", $"Signature expired: {amzDate} is now earlier than {Format(now - Skew)} ({Format(now)} - 5 min.)");
        }

        if (signedAt > now + Skew)
        {
            return SigV4Outcome.Refuse("InvalidSignatureException", $"Signature not yet current: {amzDate} is still later than {Format(now + Skew)} ({Format(now)} + 5 min.)");
        }

        return null;
    }

    private static bool TryParseAuthorization(string rest, out string credential, out string signedHeaders, out string signature)
    {
        credential = signedHeaders = signature = string.Empty;
        foreach (var part in rest.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }

        return credential.Length > 0 && signedHeaders.Length > 0 && signature.Length > 0;
    }

    // Non-S3 services normalise the path (dot segments, repeated slashes) and encode each segment once
    // more on top of what went on the wire.
    private static string CanonicalPath(string rawPath)
    {
        var segments = new List<string>();
        foreach (var segment in rawPath.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }

                continue;
            }

            segments.Add(UriEncode(segment));
        }

        var path = "/" + string.Join('/', segments);
        return segments.Count > 0 && rawPath.EndsWith('/') ? path + "/" : path;
    }

    private static string CanonicalQuery(string rawQuery)
    {
        var query = rawQuery.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var k = eq < 0 ? p : p[..eq];
                var v = eq < 0 ? string.Empty : p[(eq + 1)..];
                return (Key: UriEncode(Uri.UnescapeDataString(k)), Value: UriEncode(Uri.UnescapeDataString(v)));
            })
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    private static string CanonicalValue(string value)
    {
        var builder = new StringBuilder(value.Length);
        var space = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                space = true;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static string UriEncode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
