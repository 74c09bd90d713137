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

    public const string RepositoryOption = "--repository";

    public const string MappingOption = "--repository-mapping";

    /// <param name="isKnownRegion">Null accepts any well-formed region name (an endpoint override, e.g. LocalEcr).</param>
    /// <param name="defaultRegionSetting">Where <paramref name="defaultRegion"/> came from (e.g. AWS_REGION): a bad value is blamed on it, not on --source-region.</param>
    public static SelectionCriteria Parse(SelectionInput input, string? defaultRegion, Func<string, bool>? isKnownRegion, bool requireDestinations = true, string? defaultRegionSetting = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (repositories, registries) = ParseRepositories(input.Repositories);

        // A repository URI names its registry, as copy's image URI does: its region is the source region when
        // --source-region is not given, ahead of the environment's defaults.
        if (input.SourceRegion is null && registries.Count > 0)
        {
            var implied = registries.Values.First();
            defaultRegion = implied.Region;
            defaultRegionSetting = $"the registry host {EcrNames.Quote(implied.Host)} of {RepositoryOption}";
        }

        var source = input.SourceRegion ?? defaultRegion
            ?? throw new UsageException("--source-region is required (or set AWS_REGION, AWS_DEFAULT_REGION or the profile's region in the shared credentials or config file)");
        CheckRegion(input.SourceRegion is null && defaultRegionSetting is not null ? $"{defaultRegionSetting} (the source region, as --source-region is not given)" : "--source-region", source, isKnownRegion);
        foreach (var (repository, host) in registries)
        {
            if (!string.Equals(host.Region, source, StringComparison.Ordinal))
            {
                var setting = input.SourceRegion is null ? $"the source region {source} (named by {defaultRegionSetting})" : $"--source-region {source}";
                throw new UsageException($"{RepositoryOption} {EcrNames.Quote(host.Host + "/" + repository)} is in the registry of {host.Region}, not of {setting}: give its region as --source-region, or give each repository of one registry");
            }
        }

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

        RefuseEmpty("--repository-prefix", input.RepositoryPrefix, "leave the option out to select every repository");
        RefuseEmpty("--tag-filter", input.TagFilter, "give .* for every tag, or leave the option out");
        RefuseEmpty("--since", input.Since, "give a date such as 2025-01-31, or leave the option out");

        return new SelectionCriteria
        {
            SourceRegion = source,
            Destinations = destinations,
            Repositories = [.. repositories.Distinct(StringComparer.Ordinal)],
            RepositoryRegistries = registries,
            RepositoryPrefix = string.IsNullOrEmpty(input.RepositoryPrefix) ? null : input.RepositoryPrefix,
            RepositoryFilter = ParseRepositoryFilter(input.RepositoryFilter),
            TagFilter = ParseTagFilter(input.TagFilter),
            Since = ParseSince(input.Since),
            Mapping = ParseMapping(input.RepositoryMapping, input.RepositoryMappingSetting),
        };
    }

    /// <summary>
    /// Each <c>--repository</c> value: a repository name, or its repository URI as the ECR console and
    /// <c>aws ecr describe-repositories</c> give it (<c>repositoryUri</c>, <c>ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME</c>,
    /// in any of the host forms copy's image URI takes, <see cref="EcrRegistryHost"/>): the host is kept per repository,
    /// for its region and account to be held against the source registry's. Before, the host was read as part of the
    /// name, which is a valid one, and the command said the repository did not exist. A tag or digest is not a
    /// repository's: refused naming the form to give, rather than as an invalid name.
    /// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_Repository.html
    /// </summary>
    public static (IReadOnlyList<string> Repositories, IReadOnlyDictionary<string, EcrRegistryHost> Registries) ParseRepositories(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var repositories = new List<string>();
        var registries = new Dictionary<string, EcrRegistryHost>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var slash = value.IndexOf('/', StringComparison.Ordinal);
            var host = slash > 0 ? EcrRegistryHost.Parse(value[..slash]) : null;
            var name = host is null ? value : value[(slash + 1)..];
            if (name.Contains(':', StringComparison.Ordinal) || name.Contains('@', StringComparison.Ordinal))
            {
                throw new UsageException($"{RepositoryOption} {EcrNames.Quote(value)} names an image, not a repository: give REPOSITORY or its URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY), without a tag or digest; --tag-filter selects tags");
            }

            Check(RepositoryOption, EcrNames.ValidateRepositoryName(name));
            if (host is not null)
            {
                // A registry is its account and region: its FIPS and dual-stack hosts are other ways to the same one.
                if (registries.TryGetValue(name, out var other) && (other.Account, other.Region) != (host.Account, host.Region))
                {
                    throw new UsageException($"{RepositoryOption} names {name} in two registries, {EcrNames.Quote(other.Host)} and {EcrNames.Quote(host.Host)}: a run reads one source registry");
                }

                registries[name] = host;
            }

            repositories.Add(name);
        }

        return (repositories, registries);
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

    /// <summary>
    /// An option given an empty value, as <c>--since "$SINCE"</c> with the variable unset in a CI script: it narrows
    /// nothing, so the run would select every image (or repository, or tag) where the script meant a few. Refused
    /// naming the option, as <c>--repository-filter ""</c> is, rather than read as absent.
    /// </summary>
    private static void RefuseEmpty(string option, string? value, string advice)
    {
        if (value is not null && value.Length == 0)
        {
            throw new UsageException($"{option} is empty (''): {advice}");
        }
    }

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
