using System.Text.RegularExpressions;
using Replicator.Cli.Composition;
using Replicator.Core.Partitions;
using Replicator.Core.Validation;

namespace Replicator.Cli.Selection;

/// <summary>
/// The registry host of an Amazon ECR private image URI, <c>ACCOUNT.dkr.ecr.REGION.DNS_SUFFIX</c>, as
/// <c>docker pull</c>, <c>crane</c> and <c>skopeo</c> take it: the account and region name the registry, the rest is
/// only the way there. The host forms are those ECR documents and its credential helper recognises
/// (awslabs/amazon-ecr-credential-helper, ecr-login/api/client.go): <c>dkr.ecr</c>, FIPS <c>dkr.ecr-fips</c>, and the
/// dual-stack <c>dkr-ecr</c> / <c>dkr-ecr-fips</c> under <c>on.aws</c> (<c>on.amazonwebservices.com.cn</c> in China),
/// with each partition's DNS suffix (botocore's partitions.json, <see cref="AwsPartitions"/>). Pure.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-requests.html
/// </summary>
public sealed partial record EcrRegistryHost(string Host, string Account, string Region)
{
    /// <summary>The dual-stack suffixes, which are not a partition's <see cref="AwsPartition.DnsSuffix"/>.</summary>
    private static readonly string[] DualStackSuffixes = ["on.aws", "on.amazonwebservices.com.cn"];

    /// <summary>
    /// The host named, as <paramref name="host"/> read; null when it is not an ECR private registry's. A host of ECR's
    /// form under a known suffix that is not the suffix of its region's partition (<c>dkr.ecr.cn-north-1.amazonaws.com</c>,
    /// <c>dkr.ecr.us-east-1.amazonaws.com.cn</c>), or whose IPv4 or dual-stack form does not match its suffix
    /// (<c>dkr-ecr.us-east-1.amazonaws.com</c>, <c>dkr.ecr.us-east-1.on.aws</c>), names no registry: a
    /// <see cref="UsageException"/>, rather than a registry in the region the host only seems to name, or a repository
    /// name looked up in vain.
    /// </summary>
    public static EcrRegistryHost? Parse(string host)
    {
        ArgumentNullException.ThrowIfNull(host);

        // Host names are case-insensitive (RFC 4343); ECR's own URIs are lower case.
        var match = HostPattern().Match(host.ToLowerInvariant());
        if (!match.Success)
        {
            return null;
        }

        var suffix = match.Groups["suffix"].Value;
        var known = AwsPartitions.All.Any(p => p.DnsSuffix == suffix) || DualStackSuffixes.Contains(suffix, StringComparer.Ordinal);
        if (!known)
        {
            return null;
        }

        // A region belongs to one partition (botocore's partitions.json regionRegex), and its registry hosts end in that
        // partition's suffix: dnsSuffix for dkr.ecr, the dual-stack one for dkr-ecr (ECR documents
        // ACCOUNT.dkr-ecr.REGION.on.aws, ecr-requests.html above; on.amazonwebservices.com.cn in China). Any other
        // pairing resolves to no registry.
        var region = match.Groups["region"].Value;
        var partition = AwsPartitions.ForRegion(region);
        var dualStack = match.Groups["form"].Value == "dkr-ecr";
        var expected = dualStack ? DualStackSuffixOf(partition) : partition.DnsSuffix;
        if (!string.Equals(suffix, expected, StringComparison.Ordinal))
        {
            var hosts = DualStackSuffixOf(partition) is { } onSuffix
                ? $"ACCOUNT.dkr.ecr.{region}.{partition.DnsSuffix}, or dual-stack ACCOUNT.dkr-ecr.{region}.{onSuffix}"
                : $"ACCOUNT.dkr.ecr.{region}.{partition.DnsSuffix}";
            throw new UsageException($"{EcrNames.Quote(host)} is not an Amazon ECR registry host: {region} is a region of the {partition.Id} partition, whose registry hosts are {hosts}");
        }

        return new EcrRegistryHost(host, match.Groups["account"].Value, region);
    }

    /// <summary>
    /// The dual-stack registry suffix of <paramref name="partition"/>, from its dual-stack API suffix
    /// (<see cref="AwsPartition.DualStackDnsSuffix"/>); null for a partition where ECR documents none.
    /// </summary>
    private static string? DualStackSuffixOf(AwsPartition partition) => partition.DualStackDnsSuffix switch
    {
        "api.aws" => "on.aws",
        "api.amazonwebservices.com.cn" => "on.amazonwebservices.com.cn",
        _ => null,
    };

    [GeneratedRegex(@"^(?<account>[0-9]{12})\.(?<form>dkr\.ecr|dkr-ecr)(?:-fips)?\.(?<region>[a-z0-9]+(?:-[a-z0-9]+)+)\.(?<suffix>[a-z0-9.-]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}
