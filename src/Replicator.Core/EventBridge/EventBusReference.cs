using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.Partitions;
using Replicator.Core.Validation;

namespace Replicator.Core.EventBridge;

/// <summary>
/// An event bus to put events on, given as a name (a bus of the caller's account in the caller's region) or an
/// ARN (<c>arn:{partition}:events:{region}:{account}:event-bus/{name}</c>, which may name another account or
/// region). The rules are botocore's EventBridge model: <c>NonPartnerEventBusNameOrArn</c> for PutEvents, and
/// <c>EventBusName</c> (at most 256 characters) for the name itself.
/// </summary>
public sealed partial record EventBusReference
{
    public const int MaxNameLength = 256;

    private EventBusReference(string value, string name, string? region, string? accountId)
    {
        Value = value;
        Name = name;
        Region = region;
        AccountId = accountId;
    }

    /// <summary>What PutEvents' <c>EventBusName</c> gets: the name or the ARN as given.</summary>
    public string Value { get; }

    public string Name { get; }

    /// <summary>The ARN's region; null for a plain name (the caller's region).</summary>
    public string? Region { get; }

    /// <summary>The ARN's account; null for a plain name (the caller's account).</summary>
    public string? AccountId { get; }

    internal bool IsArn => Region is not null;

    [GeneratedRegex(@"^[.\-_A-Za-z0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:(?<partition>aws[\w-]*):events:(?<region>[^:]*):(?<account>[^:]*):event-bus/(?<name>.*)\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();

    /// <summary>The region PutEvents must be sent to: the ARN's, else <paramref name="callerRegion"/>.</summary>
    public string RegionOr(string callerRegion) => Region ?? callerRegion;

    /// <summary>Parses a name or an ARN; every problem is a <see cref="SettingException"/> naming <paramref name="setting"/>.</summary>
    public static EventBusReference Parse(string value, string setting)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentException.ThrowIfNullOrEmpty(setting);
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            throw new SettingException(setting, "is empty: give an event bus name or ARN");
        }

        if (!trimmed.StartsWith("arn:", StringComparison.Ordinal))
        {
            return new EventBusReference(trimmed, CheckName(trimmed, setting), null, null);
        }

        var arn = ArnPattern().Match(trimmed);
        if (!arn.Success)
        {
            throw new SettingException(setting, $"{EcrNames.Quote(trimmed)} is not an event bus ARN such as arn:aws:events:us-east-1:123456789012:event-bus/replicated");
        }

        var region = arn.Groups["region"].Value;
        if (EcrNames.ValidateRegion(region) is { } regionProblem)
        {
            throw new SettingException(setting, $"names an invalid region: {regionProblem}");
        }

        var partition = arn.Groups["partition"].Value;
        if (AwsPartitions.IdOf(region) != partition)
        {
            throw new SettingException(setting, $"names partition {partition}, but region {region} is in {AwsPartitions.IdOf(region)}");
        }

        var account = arn.Groups["account"].Value;
        if (EcrNames.ValidateRegistryId(account) is not null)
        {
            throw new SettingException(setting, $"names account {EcrNames.Quote(account)}, which is not 12 digits");
        }

        return new EventBusReference(trimmed, CheckName(arn.Groups["name"].Value, setting), region, account);
    }

    public override string ToString() => Value;

    private static string CheckName(string name, string setting)
    {
        if (name.Length is 0 or > MaxNameLength || !NamePattern().IsMatch(name))
        {
            throw new SettingException(
                setting,
                $"bus name {EcrNames.Quote(name)} must be 1 to {MaxNameLength} of letters, digits, '.', '-' and '_' (a partner event bus cannot take PutEvents from us)");
        }

        return name;
    }
}
