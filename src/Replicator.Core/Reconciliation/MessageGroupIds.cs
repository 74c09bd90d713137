using System.Security.Cryptography;
using System.Text;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The FIFO message group of a repository's events, for every sender of them (the reconciler, <c>replicator sync
/// --enqueue</c>, the sample events): one repository is always one group, so its events stay in order. Pure.
/// </summary>
public static class MessageGroupIds
{
    /// <summary>
    /// A MessageGroupId is at most 128 characters (SQS SendMessage API reference,
    /// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html), while an ECR
    /// repository name can have 256 (botocore ECR model, RepositoryName).
    /// </summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Joins the kept prefix and the hash of a long name. ECR repository names never hold it (lowercase letters, digits,
    /// '.', '_', '-', '/'), so no repository's own name can equal another's hashed id; SQS admits it in a group id.
    /// </summary>
    public const char HashSeparator = '~';

    private const int HashLength = 64;

    /// <summary>
    /// The repository name itself when it fits (the group the intake pipe sets, <c>$.body.detail.repository-name</c>);
    /// else its first 63 characters, <see cref="HashSeparator"/> and the SHA-256 of the whole name in hex: 128
    /// characters, the same for the same name, different for two names that share a prefix.
    /// </summary>
    public static string For(string repository)
    {
        ArgumentException.ThrowIfNullOrEmpty(repository);
        if (repository.Length <= MaxLength)
        {
            return repository;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)));
        return $"{repository[..(MaxLength - HashLength - 1)]}{HashSeparator}{hash}";
    }
}
