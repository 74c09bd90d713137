namespace Replicator.Core.Partitions;

/// <summary>
/// One AWS partition as botocore's <c>botocore/data/partitions.json</c> describes it: its id (the ARN's second
/// field), which regions it holds, and the DNS suffixes of its endpoints.
/// </summary>
/// <param name="Id">The partition id: <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>, <c>aws-iso</c>, ...</param>
/// <param name="DnsSuffix">The suffix of its IPv4 endpoints, e.g. <c>amazonaws.com.cn</c>.</param>
/// <param name="DualStackDnsSuffix">The suffix of its dual-stack endpoints, e.g. <c>api.aws</c>.</param>
public sealed record AwsPartition(string Id, string DnsSuffix, string DualStackDnsSuffix);
