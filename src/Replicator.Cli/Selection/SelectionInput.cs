namespace Replicator.Cli.Selection;

/// <summary>The selection options as typed, before validation.</summary>
public sealed record SelectionInput
{
    public string? SourceRegion { get; init; }

    public IReadOnlyList<string> DestinationRegions { get; init; } = [];

    public IReadOnlyList<string> Repositories { get; init; } = [];

    public string? RepositoryPrefix { get; init; }

    public string? RepositoryFilter { get; init; }

    public string? TagFilter { get; init; }

    public string? Since { get; init; }

    /// <summary>--repository-mapping, else REPOSITORY_MAPPING.</summary>
    public string? RepositoryMapping { get; init; }

    /// <summary>Where <see cref="RepositoryMapping"/> came from, named in its errors: the option, or the variable.</summary>
    public string RepositoryMappingSetting { get; init; } = SelectionParser.MappingOption;
}
