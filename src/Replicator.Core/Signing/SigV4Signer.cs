using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Replicator.Core.Signing;

/// <summary>
/// AWS Signature Version 4 with the <c>Authorization</c> header (HMAC-SHA256). Pure apart from the injected
/// clock; checked against the official suite (tests/Replicator.Core.Tests/SigV4TestSuite).
/// </summary>
public sealed class SigV4Signer(TimeProvider timeProvider)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of the empty payload, the hash a GET or an empty body signs.</summary>
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>The clock that dates the signatures of <see cref="Sign(SigV4Request, AwsCredentials, string, string, SigV4Options?)"/>.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    public SigV4Signature Sign(SigV4Request request, AwsCredentials credentials, string region, string service, SigV4Options? options = null)
        => Sign(request, credentials, region, service, _timeProvider.GetUtcNow(), options);

    public static SigV4Signature Sign(
        SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset now, SigV4Options? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentException.ThrowIfNullOrEmpty(service);
        options ??= SigV4Options.Default;

        var utc = now.UtcDateTime;
        var amzDate = utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var scope = $"{date}/{region}/{service}/aws4_request";

        var added = new List<KeyValuePair<string, string>>(4) { new("X-Amz-Date", amzDate) };
        if (options.AddContentSha256Header)
        {
            added.Add(new("X-Amz-Content-Sha256", request.PayloadSha256Hex));
        }

        KeyValuePair<string, string>? unsignedToken = null;
        if (credentials.SessionToken is { } token)
        {
            if (options.SignSessionToken)
            {
                added.Add(new("X-Amz-Security-Token", token));
            }
            else
            {
                unsignedToken = new("X-Amz-Security-Token", token);
            }
        }

        var (canonicalHeaders, signedHeaders) = SigV4Canonicalizer.CanonicalHeaders(request.Headers.Concat(added));
        var canonicalRequest = string.Join(
            '\n',
            request.Method.ToUpperInvariant(),
            SigV4Canonicalizer.CanonicalPath(request.Path, options.NormalizePath),
            SigV4Canonicalizer.CanonicalQuery(request.Query),
            canonicalHeaders,
            signedHeaders,
            request.PayloadSha256Hex);

        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Sha256Hex(Encoding.UTF8.GetBytes(canonicalRequest)));
        var signingKey = DeriveSigningKey(credentials.SecretAccessKey, date, region, service);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
        var authorization = $"{Algorithm} Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";

        if (unsignedToken is { } t)
        {
            added.Add(t);
        }

        added.Add(new("Authorization", authorization));
        return new SigV4Signature(canonicalRequest, stringToSign, signature, authorization, added);
    }

    public static string Sha256Hex(ReadOnlySpan<byte> payload) => Convert.ToHexStringLower(SHA256.HashData(payload));

    private static byte[] DeriveSigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }
}
