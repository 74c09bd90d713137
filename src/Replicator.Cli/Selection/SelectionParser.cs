using System.Globalization;
using System.Text.RegularExpressions;
using Replicator.Cli.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Core.Validation;

namespace Replicator.Cli.Selection;

/// <summary>
/// Validates the selection options into <see cref="SelectionCriteria"/>; every mistake is a
/// <see cref="UsageException"/> with one line naming the option. Pure: the default source region comes in.
/// </summary>
public static class SelectionParser
{
    private const string DestinationOption = "--destination-region";

    public const string MappingOption = "--repository-mapping";

    /// <param name="isKnownRegion">Null accepts any well-formed region name (an endpoint override, e.g. LocalEcr).</param>
    /// <param name="defaultRegionSetting">Where <paramref name="defaultRegion"/> came from (e.g. AWS_REGION): a bad value is blamed on it, not on --source-region.</param>
    public static SelectionCriteria Parse(SelectionInput input, string? defaultRegion, Func<string, bool>? isKnownRegion, bool requireDestinations = true, string? defaultRegionSetting = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var source = input.SourceRegion ?? defaultRegion
            ?? throw new UsageException("--source-region is required (or set AWS_REGION, AWS_DEFAULT_REGION or the profile's region in the shared credentials or config file)");
        CheckRegion(input.SourceRegion is null && defaultRegionSetting is not null ? $"{defaultRegionSetting} (the source region, as --source-region is not given)" : "--source-region", source, isKnownRegion);

        var destinations = ParseDestinations(input.DestinationRegions);
        foreach (var destination in destinations)
        {
            CheckRegion(DestinationOption, destination.Region, isKnownRegion);
            if (destination.IsSource(source))
            {
                throw new UsageException($"{DestinationOption} {destination} is the source region");
            }
        }

        if (requireDestinations && destinations.Count == 0)
        {
            throw new UsageException("at least one --destination-region is required");
        }

        foreach (var repository in input.Repositories)
        {
            Check("--repository", EcrNames.ValidateRepositoryName(repository));
        }

        return new SelectionCriteria
        {
            SourceRegion = source,
            Destinations = destinations,
            Repositories = [.. input.Repositories.Distinct(StringComparer.Ordinal)],
            RepositoryPrefix = string.IsNullOrEmpty(input.RepositoryPrefix) ? null : input.RepositoryPrefix,
            RepositoryFilter = ParseRepositoryFilter(input.RepositoryFilter),
            TagFilter = ParseTagFilter(input.TagFilter),
            Since = ParseSince(input.Since),
            Mapping = ParseMapping(input.RepositoryMapping, input.RepositoryMappingSetting),
        };
    }

    /// <summary>
    /// The function's DESTINATION_REGIONS grammar and rules (comma-separated, no empty entry, a destination named twice
    /// is refused) over every <c>--destination-region</c> value, naming the option.
    /// </summary>
    public static IReadOnlyList<ReplicationDestination> ParseDestinations(IEnumerable<string> values)
    {
        try
        {
            return ReplicationDestination.ParseLists(values, DestinationOption);
        }
        catch (SettingException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// The function's REPOSITORY_MAPPING grammar; a mistake is a usage error naming <paramref name="setting"/>: the
    /// option, or the variable when the value came from the environment.
    /// </summary>
    public static RepositoryMapping ParseMapping(string? value, string setting = MappingOption)
    {
        try
        {
            return RepositoryMapping.Parse(value, setting);
        }
        catch (SettingException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The same grammar and the same errors as the function's REPOSITORY_FILTER.</summary>
    public static RepositoryFilter? ParseRepositoryFilter(string? value)
    {
        if (value is null)
        {
            return null;
        }

        try
        {
            return RepositoryFilter.Parse(value);
        }
        catch (RepositoryFilterException e)
        {
            throw new UsageException($"--repository-filter {e.Message}");
        }
    }

    /// <summary>The function's TAG_FILTER rule (<see cref="TagFilter.Create"/>); a mistake is a usage error naming the option.</summary>
    public static Regex? ParseTagFilter(string? pattern)
    {
        try
        {
            return TagFilter.Create(pattern);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--tag-filter {EcrNames.Quote(pattern ?? string.Empty)} {e.Message}");
        }
    }

    /// <summary>
    /// An ISO 8601 date or date and time (the extended forms of RFC 3339, section 5.6: 2025-01-31, 2025-01-31T12:00,
    /// 2025-01-31T12:00:00.5Z, 2025-01-31T12:00:00+02:00); without an offset it is UTC. Only these: a culture's own
    /// forms (01/02/2025) read as a date in one country and another date in the next.
    /// </summary>
    public static DateTimeOffset? ParseSince(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return DateTimeOffset.TryParseExact(value, SinceFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var since)
            ? since
            : throw new UsageException($"--since {EcrNames.Quote(value)} is not an ISO 8601 date such as 2025-01-31 or 2025-01-31T12:00:00Z");
    }

    private static readonly string[] SinceFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static void CheckRegion(string option, string region, Func<string, bool>? isKnownRegion)
    {
        Check(option, EcrNames.ValidateRegion(region));
        if (isKnownRegion is not null && !isKnownRegion(region))
        {
            throw new UsageException($"{option}: region {EcrNames.Quote(region)} is not a known AWS region");
        }
    }

    private static void Check(string option, string? problem)
    {
        if (problem is not null)
        {
            throw new UsageException($"{option}: {problem}");
        }
    }
}
