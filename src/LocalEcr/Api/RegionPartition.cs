using System.Text.RegularExpressions;

namespace LocalEcr.Api;

/// <summary>
/// The partition of a region, for ARNs and repository URIs, matched with the <c>regionRegex</c> of each partition
/// in botocore/data/partitions.json (botocore 1.43), in that file's order; no match is <c>aws</c>, as in botocore.
/// LocalEcr keeps its own copy: it is independent of Replicator.Core.
/// </summary>
internal static partial class RegionPartition
{
    private static readonly (Regex Pattern, string Id, string DnsSuffix)[] Partitions =
    [
        (AwsRegex(), "aws", "amazonaws.com"),
        (AwsCnRegex(), "aws-cn", "amazonaws.com.cn"),
        (AwsEuscRegex(), "aws-eusc", "amazonaws.eu"),
        (AwsIsoRegex(), "aws-iso", "c2s.ic.gov"),
        (AwsIsoBRegex(), "aws-iso-b", "sc2s.sgov.gov"),
        (AwsIsoERegex(), "aws-iso-e", "cloud.adc-e.uk"),
        (AwsIsoFRegex(), "aws-iso-f", "csp.hci.ic.gov"),
        (AwsUsGovRegex(), "aws-us-gov", "amazonaws.com"),
    ];

    /// <summary>Every partition id LocalEcr knows, in botocore's order: the values an account's partition may take.</summary>
    public static IReadOnlyList<string> Ids { get; } = [.. Partitions.Select(p => p.Id)];

    /// <summary>The partition id: the second field of an ARN.</summary>
    public static string IdOf(string region) => Find(region).Id;

    public static bool IsKnown(string partition) => Ids.Contains(partition, StringComparer.Ordinal);

    /// <summary>The DNS suffix of the partition's endpoints (registry host names end with it).</summary>
    public static string DnsSuffixOf(string region) => Find(region).DnsSuffix;

    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsRegex();

    [GeneratedRegex(@"^cn\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsCnRegex();

    [GeneratedRegex(@"^eusc\-(de)\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsEuscRegex();

    [GeneratedRegex(@"^us\-iso\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoRegex();

    [GeneratedRegex(@"^us\-isob\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoBRegex();

    [GeneratedRegex(@"^eu\-isoe\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoERegex();

    [GeneratedRegex(@"^us\-isof\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoFRegex();

    [GeneratedRegex(@"^us\-gov\-\w+\-\d+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AwsUsGovRegex();

    private static (Regex Pattern, string Id, string DnsSuffix) Find(string region)
    {
        foreach (var partition in Partitions)
        {
            if (partition.Pattern.IsMatch(region))
            {
                return partition;
            }
        }

        return Partitions[0];
    }
}
