using System.Text.RegularExpressions;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Selection;

namespace Replicator.Cli.Selection;

/// <summary>Which images a command works on: validated, from the shared selection options.</summary>
public sealed record SelectionCriteria
{
    public required string SourceRegion { get; init; }

    public required IReadOnlyList<ReplicationDestination> Destinations { get; init; }

    /// <summary>Exact repository names; empty means every repository (narrowed by <see cref="RepositoryPrefix"/>).</summary>
    public IReadOnlyList<string> Repositories { get; init; } = [];

    /// <summary>
    /// The registry host of each <see cref="Repositories"/> entry given as a repository URI: its account must be the
    /// source registry's (<c>ImageInventory.RequireNamedAsync</c>).
    /// </summary>
    public IReadOnlyDictionary<string, EcrRegistryHost> RepositoryRegistries { get; init; } = new Dictionary<string, EcrRegistryHost>(StringComparer.Ordinal);

    public string? RepositoryPrefix { get; init; }

    /// <summary>The function's REPOSITORY_FILTER grammar; null selects every repository. Narrows the two options above.</summary>
    public RepositoryFilter? RepositoryFilter { get; init; }

    /// <summary>Must match the whole tag, as the function's TAG_FILTER.</summary>
    public Regex? TagFilter { get; init; }

    /// <summary>Only images pushed at or after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The destination name of each source repository, as the function's REPOSITORY_MAPPING.</summary>
    public RepositoryMapping Mapping { get; init; } = RepositoryMapping.Identity;

    public bool IncludesRepository(string name) =>
        (Repositories.Count == 0 || Repositories.Contains(name, StringComparer.Ordinal))
        && (RepositoryPrefix is null || name.StartsWith(RepositoryPrefix, StringComparison.Ordinal))
        && (RepositoryFilter is null || RepositoryFilter.Matches(name));

    public bool IncludesTag(string tag) => TagFilter is null || TagFilter.IsMatch(tag);

    /// <summary>Pushed at or after <see cref="Since"/> (an image without a push time is not); every image without it.</summary>
    public bool IncludesImage(ImageDetail detail) =>
        Since is not { } since || (detail.ImagePushedAt is { } pushed && pushed >= since);
}
