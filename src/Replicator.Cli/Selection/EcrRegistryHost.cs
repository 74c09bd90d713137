using System.Text.RegularExpressions;
using Replicator.Core.Partitions;

namespace Replicator.Cli.Selection;

/// <summary>
/// The registry host of an Amazon ECR private image URI, <c>ACCOUNT.dkr.ecr.REGION.DNS_SUFFIX</c>, as
/// <c>docker pull</c>, <c>crane</c> and <c>skopeo</c> take it: the account and region name the registry, the rest is
/// only the way there. The host forms are those ECR documents and its credential helper recognises
/// (awslabs/amazon-ecr-credential-helper, ecr-login/api/client.go): <c>dkr.ecr</c>, FIPS <c>dkr.ecr-fips</c>, and the
/// dual-stack <c>dkr-ecr</c> / <c>dkr-ecr-fips</c> under <c>on.aws</c> (<c>on.amazonwebservices.com.cn</c> in China),
/// with each partition's DNS suffix (botocore's partitions.json, <see cref="AwsPartitions"/>). Pure.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html
/// </summary>
public sealed partial record EcrRegistryHost(string Host, string Account, string Region)
{
    /// <summary>The dual-stack suffixes, which are not a partition's <see cref="AwsPartition.DnsSuffix"/>.</summary>
    private static readonly string[] DualStackSuffixes = ["on.aws", "on.amazonwebservices.com.cn"];

    /// <summary>The host named, as <paramref name="host"/> read; null when it is not an ECR private registry's.</summary>
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
        return known ? new EcrRegistryHost(host, match.Groups["account"].Value, match.Groups["region"].Value) : null;
    }

    [GeneratedRegex(@"^(?<account>[0-9]{12})\.dkr[.-]ecr(?:-fips)?\.(?<region>[a-z0-9]+(?:-[a-z0-9]+)+)\.(?<suffix>[a-z0-9.-]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex HostPattern();
}
