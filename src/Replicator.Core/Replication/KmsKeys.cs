using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.Partitions;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// <c>DESTINATION_KMS_KEYS=us-west-2=arn:aws:kms:us-west-2:...:key/...,222222222222:us-west-2=arn:...,eu-west-1=alias/ecr</c>:
/// the KMS key of each new destination repository of a KMS-encrypted source. A KMS key is regional, so one per
/// destination region (<c>REGION=KEY</c>, for every destination in that region), and a key belongs to one account, so a
/// destination of another account may have its own (<c>ACCOUNT:REGION=KEY</c>, written as in DESTINATION_REGIONS),
/// which wins there. One rule for the function and the CLI.
/// </summary>
/// <remarks>
/// A key is what ECR's CreateRepository takes as <c>kmsKey</c>: a key id, an alias or the ARN of either
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_EncryptionConfiguration.html). An id or an alias is
/// resolved in the account that creates the repository (that destination's), so only an ARN can name a key of another
/// account, and only its region and partition can be checked here: ECR requires the key in the repository's region.
/// </remarks>
public static partial class KmsKeys
{
    public const string Variable = "DESTINATION_KMS_KEYS";

    private const string Forms = "a key id (1234abcd-12ab-34cd-56ef-1234567890ab, mrk-...), alias/NAME, or the ARN of a key or an alias";

    private const string ArnForm = "the key must be a KMS ARN, arn:PARTITION:kms:REGION:ACCOUNT:key/ID or ...:alias/NAME";

    // Key ids: a UUID, or mrk- and 32 hex digits for a multi-Region key; alias names: letters, digits, '/', '_' and '-',
    // at most 256 characters with the alias/ prefix
    // (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id, botocore kms model AliasNameType).
    [GeneratedRegex(@"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();

    [GeneratedRegex(@"^alias/[A-Za-z0-9/_-]{1,250}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^arn:(?<partition>[^:]+):kms:(?<region>[^:]*):(?<account>[^:]*):(?<resource>.*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();

    /// <summary>
    /// Parses the variable's value into <see cref="ReplicatorOptions.KmsKeyIds"/> (keyed as it is); null or blank is no
    /// key. An entry that names none of <paramref name="destinations"/> (nor, for <c>REGION</c>, a region of one), all of
    /// them used (the function's <see cref="DestinationScope.Every"/>), is added to <paramref name="ignored"/>, not kept.
    /// Throws <see cref="SettingException"/> for a malformed entry.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? value, IReadOnlyList<ReplicationDestination> destinations, ICollection<IgnoredEntry>? ignored = null) =>
        Parse(value, DestinationScope.Every(destinations), ignored);

    /// <summary>
    /// Parses the variable's value: every entry in full grammar; only the keys of <paramref name="scope"/>'s destinations
    /// in use are returned, and an entry naming none of its configured destinations is added to
    /// <paramref name="ignored"/> (<see cref="IgnoredEntry"/>: removing a destination must not stop the others).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? value, DestinationScope scope, ICollection<IgnoredEntry>? ignored = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var named = new HashSet<ReplicationDestination>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return keys;
        }

        foreach (var raw in value.Split(','))
        {
            var entry = raw.Trim();
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == entry.Length - 1 || entry.AsSpan(equals + 1).ContainsAny(" \t"))
            {
                throw new SettingException(Variable, $"entry {EcrNames.Quote(entry)} must be REGION=KEY_ID_OR_ARN or ACCOUNT:REGION=KEY_ID_OR_ARN");
            }

            var name = entry[..equals];
            ReplicationDestination target;
            try
            {
                target = ReplicationDestination.Parse(name);
            }
            catch (FormatException e)
            {
                throw new SettingException(Variable, $"entry {EcrNames.Quote(entry)}: {e.Message}");
            }

            var kind = target.RegistryId is null ? "region" : "destination";
            if (!named.Add(target))
            {
                throw new SettingException(Variable, $"{kind} {name} is listed twice");
            }

            if (KeyProblem(entry[(equals + 1)..], target.Region) is { } problem)
            {
                throw new SettingException(Variable, $"entry {EcrNames.Quote(entry)}: {problem}");
            }

            if (target.RegistryId is null ? !scope.AllowsRegion(target.Region) : !scope.Allows(target))
            {
                ignored?.Add(new IgnoredEntry(Variable, entry, $"{kind} {name} is not in DESTINATION_REGIONS (nor the CLI's --destination-region)"));
                continue;
            }

            // Well formed and named rightly, the key of a destination this run does not use is not an error, but not kept.
            if (target.RegistryId is null ? scope.InUse.Any(d => d.Region == target.Region) : scope.InUse.Contains(target))
            {
                keys.Add(target.ToString(), entry[(equals + 1)..]);
            }
        }

        return keys;
    }

    /// <summary>Why <paramref name="key"/> cannot encrypt a repository in <paramref name="region"/>; null when it may.</summary>
    private static string? KeyProblem(string key, string region)
    {
        var arn = ArnPattern().Match(key);
        if (!arn.Success)
        {
            return key.StartsWith("arn:", StringComparison.Ordinal)
                ? ArnForm
                : KeyIdPattern().IsMatch(key) || AliasPattern().IsMatch(key) ? null : $"the key must be {Forms}";
        }

        var resource = arn.Groups["resource"].Value;
        var id = resource.StartsWith("key/", StringComparison.Ordinal) ? resource["key/".Length..] : null;
        if (EcrNames.ValidateRegistryId(arn.Groups["account"].Value) is not null
            || (id is null ? !AliasPattern().IsMatch(resource) : !KeyIdPattern().IsMatch(id)))
        {
            return ArnForm;
        }

        // ECR: "The key must exist in the same Region as the repository" (EncryptionConfiguration.kmsKey), and so in its partition.
        var partition = AwsPartitions.IdOf(region);
        if (arn.Groups["partition"].Value != partition)
        {
            return $"the key is in partition {arn.Groups["partition"].Value}, the destination region {region} in {partition}";
        }

        if (arn.Groups["region"].Value != region)
        {
            return $"the key is in region {arn.Groups["region"].Value}, not {region}: a KMS key encrypts repositories of its own region only";
        }

        return null;
    }
}
