using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace LocalEcr.Storage;

/// <summary>Bearer tokens for GetDownloadUrlForLayer URLs, like S3 presigned URLs: random, expiring.</summary>
internal sealed class DownloadTokens(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, DownloadGrant> _grants = new(StringComparer.Ordinal);

    public string Issue(string digest, string region, TimeSpan lifetime)
    {
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _grants[token] = new DownloadGrant(digest, region, time.GetUtcNow() + lifetime);
        return token;
    }

    /// <summary>The grant, or null when the token is unknown or expired.</summary>
    public DownloadGrant? Redeem(string token)
    {
        if (!_grants.TryGetValue(token, out var grant))
        {
            return null;
        }

        return time.GetUtcNow() < grant.ExpiresAt ? grant : null;
    }

    public void ExpireAll()
    {
        var now = time.GetUtcNow();
        foreach (var (token, grant) in _grants)
        {
            _grants[token] = grant with { ExpiresAt = now };
        }
    }
}
