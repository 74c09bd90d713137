using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Cli.Selection;
using Replicator.Core.Configuration;
using Replicator.Core.Partitions;

namespace Replicator.Cli.Commands;

/// <summary>
/// The selection options shared by sync and verify (<see cref="AddTo"/>); copy takes only the source and destination
/// regions and the repository mapping (<see cref="AddRegionsTo"/>).
/// </summary>
public sealed class SelectionOptions
{
    public Option<string?> SourceRegion { get; } = new("--source-region")
    {
        Description = "The source region: copied from, compared, or pushed into by push-sample (default: the region of copy's image URI or of a --repository URI, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region in the shared credentials file, then in the config file)",
        HelpName = "R",
    };

    public Option<string[]> DestinationRegions { get; } = new("--destination-region")
    {
        Description = "Region to copy to, or account:region; repeatable, or comma-separated",
        HelpName = "R",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string[]> Repositories { get; } = new("--repository")
    {
        Description = "Only this repository, by name or repository URI (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME); repeatable",
        HelpName = "NAME",
        Arity = ArgumentArity.OneOrMore,
    };

    public Option<string?> RepositoryPrefix { get; } = new("--repository-prefix")
    {
        Description = "Only repositories whose name starts with P",
        HelpName = "P",
    };

    public Option<string?> RepositoryFilter { get; } = new("--repository-filter")
    {
        Description = "Only repositories this filter selects, as the function's REPOSITORY_FILTER: *, team/*,base/nginx, *,!sandbox/*",
        HelpName = "PATTERNS",
    };

    public Option<string?> TagFilter { get; } = new("--tag-filter")
    {
        Description = "Only tags this regular expression matches whole (as the function's TAG_FILTER)",
        HelpName = "REGEX",
    };

    public Option<string?> Since { get; } = new("--since")
    {
        Description = "Only images pushed at or after this date (ISO 8601, UTC unless an offset is given)",
        HelpName = "DATE",
    };

    public Option<string?> RepositoryMapping { get; } = new("--repository-mapping")
    {
        Description = "Rename in the destinations: SOURCE_PREFIX=DEST_PREFIX,... (longest prefix wins; default: REPOSITORY_MAPPING)",
        HelpName = "MAP",
    };

    public void AddRegionsTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(SourceRegion);
        command.Options.Add(DestinationRegions);
        command.Options.Add(RepositoryMapping);
    }

    public void AddTo(Command command)
    {
        AddRegionsTo(command);
        command.Options.Add(Repositories);
        command.Options.Add(RepositoryPrefix);
        command.Options.Add(RepositoryFilter);
        command.Options.Add(TagFilter);
        command.Options.Add(Since);
    }

    /// <param name="impliedSourceRegion">
    /// The source region the command's own argument names (copy's image URI), and how to call it in a message: it
    /// stands for <c>--source-region</c> when that is not given, ahead of the environment's defaults.
    /// </param>
    public SelectionCriteria Read(ParseResult parse, CliContext context, bool requireDestinations = true, (string Region, string Setting)? impliedSourceRegion = null)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(context);
        var mapping = parse.GetValue(RepositoryMapping);
        var input = new SelectionInput
        {
            SourceRegion = parse.GetValue(SourceRegion),
            DestinationRegions = parse.GetValue(DestinationRegions) ?? [],
            Repositories = parse.GetValue(Repositories) ?? [],
            RepositoryPrefix = parse.GetValue(RepositoryPrefix),
            RepositoryFilter = parse.GetValue(RepositoryFilter),
            TagFilter = parse.GetValue(TagFilter),
            Since = parse.GetValue(Since),
            RepositoryMapping = mapping ?? context.Environment.GetEnvironmentVariable(Replicator.Core.Replication.RepositoryMapping.Variable),
            RepositoryMappingSetting = mapping is null ? Replicator.Core.Replication.RepositoryMapping.Variable : SelectionParser.MappingOption,
        };
        var defaultRegion = impliedSourceRegion ?? DefaultRegionSetting(context.Environment);
        Func<string, bool>? known = CliServices.EndpointOverridden(context.Environment) ? null : AwsRegions.IsKnown;
        return SelectionParser.Parse(input, defaultRegion?.Region, known, requireDestinations, defaultRegion?.Setting);
    }

    /// <summary>
    /// The source region when <c>--source-region</c> is not given, in the AWS CLI's order: <c>AWS_REGION</c>, then
    /// <c>AWS_DEFAULT_REGION</c>, then <c>region</c> of the active profile in the shared config file (<c>AWS_PROFILE</c>,
    /// else <c>default</c>). An empty value counts as unset, as in the SDKs.
    /// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html
    /// https://docs.aws.amazon.com/sdkref/latest/guide/feature-region.html
    /// </summary>
    internal static string? DefaultRegion(IEnvironmentVariables environment) => DefaultRegionSetting(environment)?.Region;

    /// <summary><see cref="DefaultRegion"/> and the setting it came from, which a message about a bad value names.</summary>
    internal static (string Region, string Setting)? DefaultRegionSetting(IEnvironmentVariables environment)
    {
        foreach (var variable in (string[])["AWS_REGION", "AWS_DEFAULT_REGION"])
        {
            if (Given(environment.GetEnvironmentVariable(variable)) is { } region)
            {
                return (region, variable);
            }
        }

        return SharedConfigFile.Lookup(environment, "region") is { } found && Given(found.Value) is { } profileRegion
            ? (profileRegion, $"region of the profile in {found.Where}")
            : null;
    }

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
