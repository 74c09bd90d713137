using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Auth;

/// <summary>
/// The access keys LocalEcr accepts: each account's long-term pair, and the temporary ones its STS issued.
/// A temporary key is accepted only with its session token (<c>X-Amz-Security-Token</c>) and until it expires,
/// and a long-term key only without one, as AWS does. Every key belongs to its account's partition and is unknown in
/// the others.
/// </summary>
internal sealed class Principals(TimeProvider sessionClock)
{
    private readonly ConcurrentDictionary<string, Principal> _byKey = new(StringComparer.Ordinal);

    /// <summary>
    /// An account's own key: long-term, or with <paramref name="sessionToken"/> a temporary key that never expires
    /// (as a Lambda function's own credentials are temporary), accepted only with that token.
    /// </summary>
    public void AddAccount(string accountId, string accessKey, string secretKey, string partition, string? sessionToken = null)
    {
        var principal = new Principal(accountId, accessKey, secretKey, partition, sessionToken, sessionToken is null ? null : DateTimeOffset.MaxValue);
        if (!_byKey.TryAdd(accessKey, principal))
        {
            throw new ArgumentException($"access key {accessKey} is given to two accounts", nameof(accessKey));
        }
    }

    /// <summary>The partition of a served account, or null for an account LocalEcr does not serve.</summary>
    public string? PartitionOf(string accountId) =>
        _byKey.Values.FirstOrDefault(p => p.SessionArn is null && p.AccountId == accountId)?.Partition;

    /// <summary>
    /// The secret of a key known in the partition of <paramref name="region"/>, for the signature check. A key of another
    /// partition is unknown there, as each partition has its own IAM: a key of <c>aws</c> signing for cn-north-1 gets
    /// <c>UnrecognizedClientException</c>, as an unknown key does
    /// (https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html).
    /// </summary>
    public string? SecretFor(string accessKeyId, string region) =>
        _byKey.TryGetValue(accessKeyId, out var principal) && principal.IsValidIn(region) ? principal.SecretKey : null;

    /// <summary>After a valid signature: the principal, or the error AWS answers for its token.</summary>
    public (Principal? Principal, string? ErrorCode, string? Message) Authenticate(string accessKeyId, IHeaderDictionary headers)
    {
        if (!_byKey.TryGetValue(accessKeyId, out var principal))
        {
            return (null, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        var token = headers["X-Amz-Security-Token"].ToString();
        if (principal.SessionToken is null)
        {
            // A long-term key sent with a session token is refused as an invalid token: the token names a session
            // that this key does not belong to (STS: "The security token included in the request is invalid").
            return token.Length == 0 ? (principal, null, null) : (null, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(principal.SessionToken)))
        {
            return (null, "UnrecognizedClientException", "The security token included in the request is invalid.");
        }

        return sessionClock.GetUtcNow() >= principal.Expiration
            ? (null, "ExpiredTokenException", "The security token included in the request is expired")
            : (principal, null, null);
    }

    /// <summary>A new temporary key pair for <paramref name="roleArn"/> of <paramref name="accountId"/>.</summary>
    public Principal IssueSession(string accountId, string roleArn, string sessionName, TimeSpan duration)
    {
        var roleName = roleArn[(roleArn.LastIndexOf('/') + 1)..];
        var partition = roleArn.Split(':')[1];
        var session = new Principal(
            accountId,
            "ASIA" + RandomString(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            RandomString(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            partition,
            "IQoJb3JpZ2luX2VjE" + RandomString(200, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            sessionClock.GetUtcNow() + duration,
            $"arn:{partition}:sts::{accountId}:assumed-role/{roleName}/{sessionName}");
        _byKey[session.AccessKeyId] = session;
        return session;
    }

    /// <summary>Ends every session now (a fault, as when a role's sessions are revoked): their next call gets ExpiredTokenException.</summary>
    public void ExpireSessions()
    {
        foreach (var (key, principal) in _byKey)
        {
            if (principal.SessionArn is not null)
            {
                _byKey[key] = principal with { Expiration = DateTimeOffset.MinValue };
            }
        }
    }

    private static string RandomString(int length, string alphabet) =>
        string.Create(length, alphabet, static (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
            }
        });
}
