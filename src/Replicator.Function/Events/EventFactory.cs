using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Replicator.Core.Reconciliation;
using Replicator.Function.Enqueue;

namespace Replicator.Function.Events;

/// <summary>
/// Builds "ECR Image Action" events as ECR emits them and their FIFO messages. Pure: the time comes in. The event id
/// and the deduplication id are hashes of what the event names (and of the run, when one is given), so sending the
/// same image twice within SQS's five-minute deduplication window queues it once.
/// </summary>
public static class EventFactory
{
    public static EcrImageActionEvent Push(string account, string region, string repository, string digest, string? tag, DateTimeOffset time) =>
        Create(ImageAction.Push, account, region, repository, digest, tag, time);

    /// <summary>The event ECR sends when a tag (or an untagged image) is deleted: action-type DELETE, the digest it named.</summary>
    public static EcrImageActionEvent Delete(string account, string region, string repository, string digest, string? tag, DateTimeOffset time) =>
        Create(ImageAction.Delete, account, region, repository, digest, tag, time);

    public static string Serialize(EcrImageActionEvent value) => JsonSerializer.Serialize(value, EventJsonContext.Default.EcrImageActionEvent);

    /// <summary>
    /// The message of one event: group = the repository's <see cref="MessageGroupIds.For"/> (its name, as the intake
    /// pipe sets it, when it fits in a group id), so one repository's events stay in order. <paramref name="run"/> (a reconcile run's id) joins the deduplication id: a retry inside one run is
    /// dropped by the queue, the next run's message is not.
    /// </summary>
    public static QueueMessage Message(EcrImageActionEvent value, string? run = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        var d = value.Detail;
        var hash = Hash(value.Account, value.Region, d.RepositoryName, d.ImageDigest, d.ImageTag, d.ActionType);
        return new QueueMessage(Serialize(value), MessageGroupIds.For(d.RepositoryName), run is null ? hash : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hash}\n{run}"))));
    }

    private static EcrImageActionEvent Create(string action, string account, string region, string repository, string digest, string? tag, DateTimeOffset time) => new()
    {
        Id = EventIds.Uuid(Hash(account, region, repository, digest, tag, action)),
        Account = account,
        Region = region,
        Time = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        Detail = new EcrImageActionDetail { RepositoryName = repository, ImageDigest = digest, ImageTag = tag, ActionType = action },
    };

    /// <summary>A PUSH hashes as it always did (ids stay stable across versions); other actions add their name.</summary>
    private static string Hash(string account, string region, string repository, string digest, string? tag, string action) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            action == ImageAction.Push ? $"{account}\n{region}\n{repository}\n{digest}\n{tag}" : $"{account}\n{region}\n{repository}\n{digest}\n{tag}\n{action}")));
}
