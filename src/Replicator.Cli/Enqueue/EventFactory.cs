using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Replicator.Cli.Enqueue;

/// <summary>
/// Builds "ECR Image Action" PUSH events and their FIFO messages. Pure: the time comes in. The event id and the
/// deduplication id are hashes of what the event names, so sending the same image twice within SQS's five-minute
/// deduplication window queues it once.
/// </summary>
public static class EventFactory
{
    public static EcrImageActionEvent Push(string account, string region, string repository, string digest, string? tag, DateTimeOffset time) => new()
    {
        Id = EventId(account, region, repository, digest, tag),
        Account = account,
        Region = region,
        Time = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Detail = new EcrImageActionDetail { RepositoryName = repository, ImageDigest = digest, ImageTag = tag },
    };

    public static string Serialize(EcrImageActionEvent value) => JsonSerializer.Serialize(value, CliJsonContext.Default.EcrImageActionEvent);

    /// <summary>The message of one event: group = repository, so one repository's events stay in order.</summary>
    public static QueueMessage Message(EcrImageActionEvent value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var d = value.Detail;
        return new QueueMessage(Serialize(value), d.RepositoryName, Hash(value.Account, value.Region, d.RepositoryName, d.ImageDigest, d.ImageTag));
    }

    /// <summary>A UUID-shaped id from the hash, like EventBridge's ids.</summary>
    private static string EventId(string account, string region, string repository, string digest, string? tag)
    {
        var hex = Hash(account, region, repository, digest, tag);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }

    private static string Hash(string account, string region, string repository, string digest, string? tag) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{account}\n{region}\n{repository}\n{digest}\n{tag}")));
}
