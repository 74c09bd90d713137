using Replicator.Core.Partitions;
using Replicator.Function.Events;

namespace Replicator.Function.Redelivery;

/// <summary>
/// The queue URL of a record's <c>eventSourceARN</c> (<c>arn:PARTITION:sqs:REGION:ACCOUNT:NAME</c>):
/// <c>https://sqs.REGION.DNS_SUFFIX/ACCOUNT/NAME</c> with the partition's suffix (botocore/data/partitions.json),
/// or the same path under <c>AWS_ENDPOINT_URL_SQS</c>/<c>AWS_ENDPOINT_URL</c> when one is set (local runs, moto).
/// </summary>
public static class QueueUrls
{
    /// <summary>The URL, or null when the ARN is not an SQS queue ARN (the record then keeps its visibility).</summary>
    public static Uri? FromArn(string? arn, Uri? endpoint)
    {
        if (QueueArn.Parse(arn) is not { } queue)
        {
            return null;
        }

        var (partition, region, account, name) = (queue.Partition, queue.Region, queue.Account, queue.Name);
        if (endpoint is not null)
        {
            return new Uri(endpoint, $"/{account}/{name}");
        }

        var expected = AwsPartitions.ForRegion(region);
        return partition == expected.Id ? new Uri($"https://sqs.{region}.{expected.DnsSuffix}/{account}/{name}") : null;
    }
}
