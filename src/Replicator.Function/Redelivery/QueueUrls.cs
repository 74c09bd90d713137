using Replicator.Core.Partitions;
using Replicator.Core.Validation;

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
        if (string.IsNullOrEmpty(arn))
        {
            return null;
        }

        var parts = arn.Split(':');
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "sqs" || !EcrNames.IsRegion(parts[3]) || !EcrNames.IsRegistryId(parts[4])
            || parts[5].Length is 0 or > 80 || !parts[5].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return null;
        }

        var (partition, region, account, name) = (parts[1], parts[3], parts[4], parts[5]);
        if (endpoint is not null)
        {
            return new Uri(endpoint, $"/{account}/{name}");
        }

        var expected = AwsPartitions.ForRegion(region);
        return partition == expected.Id ? new Uri($"https://sqs.{region}.{expected.DnsSuffix}/{account}/{name}") : null;
    }
}
