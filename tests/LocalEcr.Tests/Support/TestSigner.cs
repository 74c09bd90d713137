using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LocalEcr.Tests.Support;

/// <summary>A minimal SigV4 header signer, written independently of LocalEcr's verifier.</summary>
internal static class TestSigner
{
    /// <param name="payloadHash">Sent as X-Amz-Content-Sha256 (signed) and signed as the payload's hash; null: neither, the body's hash signed.</param>
    /// <param name="signDate">False: X-Amz-Date is sent but left out of SignedHeaders (a request AWS refuses).</param>
    /// <param name="scopeDate">The credential scope's date (yyyyMMdd); null: X-Amz-Date's own, as a signer must use.</param>
    /// <param name="scopeTerminator">The credential scope's last element, signed over as written (the key is still derived with aws4_request).</param>
    /// <param name="signHost">False: Host is sent but left out of SignedHeaders (a request AWS refuses).</param>
    public static void Sign(HttpRequestMessage request, byte[] body, string region, string accessKey, string secretKey, DateTime utcNow, string service = "ecr", string? payloadHash = null, bool signDate = true, string? scopeDate = null, string scopeTerminator = "aws4_request", bool signHost = true)
    {
        var amzDate = utcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = scopeDate ?? amzDate[..8];
        request.Headers.Add("X-Amz-Date", amzDate);
        if (payloadHash is not null)
        {
            request.Headers.Add("X-Amz-Content-Sha256", payloadHash);
        }

        var uri = request.RequestUri!;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (signHost)
        {
            headers["host"] = host;
        }

        if (signDate)
        {
            headers["x-amz-date"] = amzDate;
        }

        foreach (var h in request.Headers.Where(h => h.Key.StartsWith("X-Amz-Target", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("X-Amz-Security-Token", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("X-Amz-Content-Sha256", StringComparison.OrdinalIgnoreCase)))
        {
            headers[h.Key.ToLowerInvariant()] = string.Join(',', h.Value);
        }

        if (request.Content?.Headers.ContentType is { } contentType)
        {
            headers["content-type"] = contentType.ToString();
        }

        var signedHeaders = string.Join(';', headers.Keys);
        var canonical = string.Join('\n',
            request.Method.Method,
            uri.AbsolutePath,
            uri.Query.TrimStart('?'),
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value.Trim()}\n")),
            signedHeaders,
            payloadHash ?? Convert.ToHexStringLower(SHA256.HashData(body)));
        var scope = $"{date}/{region}/{service}/{scopeTerminator}";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Convert.ToHexStringLower(Hmac(key, toSign));
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
