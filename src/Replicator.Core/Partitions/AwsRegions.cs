using System.Collections.Frozen;

namespace Replicator.Core.Partitions;

/// <summary>
/// The regions this build knows: every region of every partition in botocore's <c>botocore/data/partitions.json</c>
/// (botocore 1.43.11), the "*-global" pseudo regions left out. Both shells ask it: the CLI refuses a region outside it,
/// and the function, which must keep working with a region launched after this build, only warns at init and treats
/// an endpoint host that does not exist (DNS NXDOMAIN) as permanent for such a region (see <c>EcrClient</c>).
/// <c>AwsRegionsTests</c> compares the list with the botocore installed where the tests run.
/// </summary>
public static class AwsRegions
{
    /// <summary>In partitions.json's order: partition by partition, each partition's regions sorted.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        // aws
        "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
        "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1",
        "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
        "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",

        // aws-cn
        "cn-north-1", "cn-northwest-1",

        // aws-eusc
        "eusc-de-east-1",

        // aws-iso
        "us-iso-east-1", "us-iso-west-1",

        // aws-iso-b
        "us-isob-east-1", "us-isob-west-1",

        // aws-iso-e
        "eu-isoe-west-1",

        // aws-iso-f
        "us-isof-east-1", "us-isof-south-1",

        // aws-us-gov
        "us-gov-east-1", "us-gov-west-1",
    ];

    private static readonly FrozenSet<string> Known = All.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>True when <paramref name="region"/> is one of <see cref="All"/> (exact, case-sensitive: region names are lower case).</summary>
    public static bool IsKnown(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return Known.Contains(region);
    }
}
