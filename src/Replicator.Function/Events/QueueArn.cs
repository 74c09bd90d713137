using Replicator.Core.Validation;

namespace Replicator.Function.Events;

/// <summary>
/// An SQS queue ARN, <c>arn:PARTITION:sqs:REGION:ACCOUNT:NAME</c>, as a record's <c>eventSourceARN</c> names the queue
/// the event source mapping read it from (ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html;
/// a queue name is at most 80 letters, digits, '-' and '_', a FIFO queue's ending in ".fifo":
/// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html).
/// </summary>
public sealed record QueueArn(string Partition, string Region, string Account, string Name)
{
    /// <summary>The parts, or null when <paramref name="arn"/> is absent or not an SQS queue ARN.</summary>
    public static QueueArn? Parse(string? arn)
    {
        if (string.IsNullOrEmpty(arn))
        {
            return null;
        }

        var parts = arn.Split(':');
        return parts.Length != 6 || parts[0] != "arn" || parts[2] != "sqs" || !EcrNames.IsRegion(parts[3]) || !EcrNames.IsRegistryId(parts[4])
            || parts[5].Length is 0 or > 80 || !parts[5].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? null
            : new QueueArn(parts[1], parts[3], parts[4], parts[5]);
    }
}
