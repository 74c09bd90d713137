using System.Text.RegularExpressions;

namespace Replicator.Core.Partitions;

/// <summary>
/// The partition a region belongs to, resolved as botocore's <c>aws.partition</c> rule function does: the
/// first partition whose <c>regionRegex</c> matches (botocore/data/partitions.json, in its order), else
/// <c>aws</c>. Use it for ARNs (<c>arn:{partition}:...</c>) and endpoint host names, never a "cn-" prefix test.
/// </summary>
public static partial class AwsPartitions
{
    public static AwsPartition Aws { get; } = new("aws", "amazonaws.com", "api.aws");

    public static AwsPartition AwsCn { get; } = new("aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn");

    public static AwsPartition AwsEusc { get; } = new("aws-eusc", "amazonaws.eu", "api.amazonwebservices.eu");

    public static AwsPartition AwsIso { get; } = new("aws-iso", "c2s.ic.gov", "api.aws.ic.gov");

    public static AwsPartition AwsIsoB { get; } = new("aws-iso-b", "sc2s.sgov.gov", "api.aws.scloud");

    public static AwsPartition AwsIsoE { get; } = new("aws-iso-e", "cloud.adc-e.uk", "api.cloud-aws.adc-e.uk");

    public static AwsPartition AwsIsoF { get; } = new("aws-iso-f", "csp.hci.ic.gov", "api.aws.hci.ic.gov");

    public static AwsPartition AwsUsGov { get; } = new("aws-us-gov", "amazonaws.com", "api.aws");

    /// <summary>Every partition botocore knows, in the order of partitions.json.</summary>
    public static IReadOnlyList<AwsPartition> All { get; } = [Aws, AwsCn, AwsEusc, AwsIso, AwsIsoB, AwsIsoE, AwsIsoF, AwsUsGov];

    // The regionRegex of each partition in botocore/data/partitions.json (botocore 1.43).
    [GeneratedRegex(@"^(us|eu|ap|sa|ca|me|af|il|mx)\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsRegex();

    [GeneratedRegex(@"^cn\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsCnRegex();

    [GeneratedRegex(@"^eusc\-(de)\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsEuscRegex();

    [GeneratedRegex(@"^us\-iso\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoRegex();

    [GeneratedRegex(@"^us\-isob\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoBRegex();

    [GeneratedRegex(@"^eu\-isoe\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoERegex();

    [GeneratedRegex(@"^us\-isof\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsIsoFRegex();

    [GeneratedRegex(@"^us\-gov\-\w+\-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex AwsUsGovRegex();

    /// <summary>The partition of <paramref name="region"/>; a region no regex matches is <c>aws</c>, as in botocore.</summary>
    public static AwsPartition ForRegion(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        if (AwsRegex().IsMatch(region))
        {
            return Aws;
        }

        if (AwsCnRegex().IsMatch(region))
        {
            return AwsCn;
        }

        if (AwsEuscRegex().IsMatch(region))
        {
            return AwsEusc;
        }

        if (AwsIsoRegex().IsMatch(region))
        {
            return AwsIso;
        }

        if (AwsIsoBRegex().IsMatch(region))
        {
            return AwsIsoB;
        }

        if (AwsIsoERegex().IsMatch(region))
        {
            return AwsIsoE;
        }

        if (AwsIsoFRegex().IsMatch(region))
        {
            return AwsIsoF;
        }

        return AwsUsGovRegex().IsMatch(region) ? AwsUsGov : Aws;
    }

    /// <summary>The partition id of <paramref name="region"/>, for <c>arn:{id}:service:region:account:resource</c>.</summary>
    public static string IdOf(string region) => ForRegion(region).Id;
}
