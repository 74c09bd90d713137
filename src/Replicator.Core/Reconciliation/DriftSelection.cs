using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Reconciliation;

/// <summary>What the reconciler looks at: the function's REPOSITORY_FILTER and TAG_FILTER, or the CLI's selection options.</summary>
public sealed record DriftSelection
{
    /// <summary>Exact repository names (no DescribeRepositories); empty: every repository <see cref="IncludeRepository"/> accepts.</summary>
    public IReadOnlyList<string> Repositories { get; init; } = [];

    public Func<string, bool> IncludeRepository { get; init; } = static _ => true;

    /// <summary>
    /// The tag filter. May throw <see cref="System.Text.RegularExpressions.RegexMatchTimeoutException"/> (a regex past
    /// its match timeout): the scanner then leaves that tag out and reports it (<see cref="TagFilterTimeout"/>).
    /// </summary>
    public Func<string, bool> IncludeTag { get; init; } = static _ => true;

    /// <summary>Null: every active image; the CLI's --since narrows here.</summary>
    public Func<ImageDetail, bool>? IncludeImage { get; init; }

    /// <summary>REPLICATE_DELETES: only then are destination tags the source no longer has reported (as DELETE events).</summary>
    public bool ReplicateDeletes { get; init; }
}
