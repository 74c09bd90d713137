using Replicator.Core.Configuration;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// <c>DESTINATION_KMS_KEYS=us-west-2=arn:aws:kms:us-west-2:...:key/...,222222222222:us-west-2=arn:...,eu-west-1=alias/ecr</c>:
/// the KMS key of each new destination repository of a KMS-encrypted source. A KMS key is regional, so one per
/// destination region (<c>REGION=KEY</c>, for every destination in that region), and a key belongs to one account, so a
/// destination of another account may have its own (<c>ACCOUNT:REGION=KEY</c>, written as in DESTINATION_REGIONS),
/// which wins there. One rule for the function and the CLI.
/// </summary>
public static class KmsKeys
{
    public const string Variable = "DESTINATION_KMS_KEYS";

    /// <summary>
    /// Parses the variable's value into <see cref="ReplicatorOptions.KmsKeyIds"/> (keyed as it is); null or blank is no
    /// key. Each entry must name one of <paramref name="destinations"/> (or, for <c>REGION</c>, a region of one), all of
    /// them used (the function's <see cref="DestinationScope.Every"/>). Throws <see cref="SettingException"/>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? value, IReadOnlyList<ReplicationDestination> destinations) =>
        Parse(value, DestinationScope.Every(destinations));

    /// <summary>
    /// Parses the variable's value: every entry in full grammar and against <paramref name="scope"/>'s configured
    /// destinations; only the keys of its destinations in use are returned.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string? value, DestinationScope scope)
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
            if (target.RegistryId is null ? !scope.AllowsRegion(target.Region) : !scope.Allows(target))
            {
                throw new SettingException(Variable, $"{kind} {name} is not in DESTINATION_REGIONS (the CLI's --destination-region)");
            }

            if (!named.Add(target))
            {
                throw new SettingException(Variable, $"{kind} {name} is listed twice");
            }

            // Well formed and named rightly, the key of a destination this run does not use is not an error, but not kept.
            if (target.RegistryId is null ? scope.InUse.Any(d => d.Region == target.Region) : scope.InUse.Contains(target))
            {
                keys.Add(target.ToString(), entry[(equals + 1)..]);
            }
        }

        return keys;
    }
}
