using Replicator.Core.Validation;

namespace Replicator.Function.Enqueue;

/// <summary>
/// What a queue URL says of the queue's region and account. SQS serves a queue only through its own region's
/// endpoint, and a queue URL's path is <c>/ACCOUNT/NAME</c>
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-queue-message-identifiers.html).
/// </summary>
public static class SqsQueueUrl
{
    /// <summary>
    /// The region an SQS queue URL names: <c>sqs.REGION.amazonaws.com</c> (also <c>sqs-fips.REGION</c>, behind an
    /// interface endpoint <c>vpce-ID.sqs.REGION.vpce.amazonaws.com</c>, and in every partition's domain) or the legacy
    /// <c>REGION.queue.amazonaws.com</c> (https://docs.aws.amazon.com/general/latest/gr/sqs-service.html); null for any
    /// other host, such as a local endpoint's.
    /// </summary>
    public static string? RegionOf(Uri queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var parts = queue.Host.Split('.');
        for (var i = 0; i + 1 < parts.Length; i++)
        {
            if (parts[i] is "sqs" or "sqs-fips" && EcrNames.IsRegion(parts[i + 1]))
            {
                return parts[i + 1];
            }

            if (parts[i + 1] == "queue" && EcrNames.IsRegion(parts[i]))
            {
                return parts[i];
            }
        }

        return null;
    }

    /// <summary>The account of the queue's path (<c>/ACCOUNT/NAME</c>), or null when its first segment is not 12 digits.</summary>
    public static string? AccountOf(Uri queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var segments = queue.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is [var account, _] && EcrNames.IsRegistryId(account) ? account : null;
    }
}
