using Replicator.Core.Validation;

namespace Replicator.Core.Selection;

/// <summary>
/// Which repositories are replicated: REPOSITORY_FILTER of the function, <c>RepositoryFilter</c> of the template and
/// <c>--repository-filter</c> of the CLI. A comma-separated list of patterns: <c>*</c> is every repository,
/// <c>team/*</c> a prefix, anything else an exact name; <c>!pattern</c> excludes, and exclusions win, so an include
/// that one exclusion covers entirely (<c>*,!*</c>, <c>team/a,!team/*</c>) is refused.
/// Examples: <c>*</c>, <c>team/*,base/nginx</c>, <c>*,!sandbox/*,!tmp/*</c>.
/// </summary>
/// <remarks>
/// The grammar is deliberately the intersection of what EventBridge patterns (<c>prefix</c>, <c>wildcard</c>,
/// <c>anything-but</c>) and IAM resource ARNs (a trailing <c>*</c>) express, so the rule, the role and the
/// function select the same repositories (docs/deploy.md, "Selecting repositories").
/// </remarks>
public sealed class RepositoryFilter
{
    public const char Separator = ',';

    public const char ExclusionMark = '!';

    public const char Wildcard = '*';

    private RepositoryFilter(string text, IReadOnlyList<RepositoryPattern> includes, IReadOnlyList<RepositoryPattern> excludes)
    {
        Text = text;
        Includes = includes;
        Excludes = excludes;
    }

    /// <summary><c>*</c>: every repository.</summary>
    public static RepositoryFilter Everything { get; } = Parse("*");

    /// <summary>The filter as written (trimmed).</summary>
    public string Text { get; }

    public IReadOnlyList<RepositoryPattern> Includes { get; }

    public IReadOnlyList<RepositoryPattern> Excludes { get; }

    /// <summary>True when some include matches and no exclude does.</summary>
    public bool Matches(string repositoryName)
    {
        ArgumentNullException.ThrowIfNull(repositoryName);
        return Includes.Any(p => p.Matches(repositoryName)) && !Excludes.Any(p => p.Matches(repositoryName));
    }

    public override string ToString() => Text;

    /// <summary>Parses a filter; throws <see cref="RepositoryFilterException"/> naming the first bad pattern.</summary>
    public static RepositoryFilter Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new RepositoryFilterException("is empty: give * for every repository, or patterns such as team/*,base/nginx");
        }

        var includes = new List<RepositoryPattern>();
        var excludes = new List<RepositoryPattern>();
        var entries = text.Split(Separator);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            if (entry.Length == 0)
            {
                throw new RepositoryFilterException($"pattern {i + 1} is empty (two commas in a row, or a comma at an end)");
            }

            var exclude = entry[0] == ExclusionMark;
            var pattern = ParsePattern(exclude ? entry[1..] : entry, entry);
            var list = exclude ? excludes : includes;
            if (!list.Contains(pattern))
            {
                list.Add(pattern);
            }
        }

        if (includes.Count == 0)
        {
            throw new RepositoryFilterException(
                $"selects nothing: {EcrNames.Quote(text.Trim())} only excludes; start it with * (every repository) or a pattern to include");
        }

        // An include that one exclusion covers entirely selects nothing, since exclusions win: the stack would deploy
        // and replicate nothing for it, silently. Checked after every pattern is read, so the order does not matter.
        foreach (var include in includes)
        {
            if (excludes.FirstOrDefault(exclude => Covers(exclude, include)) is { } covering)
            {
                throw new RepositoryFilterException(
                    $"pattern {EcrNames.Quote(include.Text)} selects nothing: the exclusion {EcrNames.Quote(ExclusionMark + covering.Text)} removes every repository it includes (exclusions win); drop one of them or narrow the exclusion");
            }
        }

        return new RepositoryFilter(text.Trim(), includes, excludes);
    }

    /// <summary>Parses without throwing; <paramref name="error"/> names the bad pattern.</summary>
    public static bool TryParse(string? text, out RepositoryFilter? filter, out string? error)
    {
        try
        {
            filter = Parse(text);
            error = null;
            return true;
        }
        catch (RepositoryFilterException ex)
        {
            filter = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>
    /// True when every repository <paramref name="include"/> selects is one <paramref name="exclude"/> removes:
    /// <c>!*</c> covers everything, <c>!X*</c> covers <c>X</c>, <c>XY</c> and <c>XY*</c>, <c>!X</c> covers only <c>X</c>.
    /// </summary>
    private static bool Covers(RepositoryPattern exclude, RepositoryPattern include) =>
        exclude.IsPrefix
            ? include.Value.StartsWith(exclude.Value, StringComparison.Ordinal)
            : !include.IsPrefix && string.Equals(include.Value, exclude.Value, StringComparison.Ordinal);

    private static RepositoryPattern ParsePattern(string pattern, string entry)
    {
        if (pattern.Length == 0)
        {
            throw new RepositoryFilterException($"pattern {EcrNames.Quote(entry)} excludes nothing: write ! then a name or a prefix such as !sandbox/*");
        }

        var star = pattern.IndexOf(Wildcard, StringComparison.Ordinal);
        if (star >= 0 && star != pattern.Length - 1)
        {
            throw new RepositoryFilterException(
                $"pattern {EcrNames.Quote(entry)} has * before its end: only a trailing * (a prefix such as team/*) or * alone is supported");
        }

        if (star < 0)
        {
            return EcrNames.ValidateRepositoryName(pattern) is { } problem
                ? throw new RepositoryFilterException($"pattern {EcrNames.Quote(entry)}: {problem}")
                : RepositoryPattern.Exact(pattern);
        }

        // A prefix must be the start of some valid repository name, so a typo (upper case, a space, "team//" or
        // "team-/", separators ECR never puts side by side) is an error rather than a filter that silently selects nothing.
        var prefix = pattern[..^1];
        if (EcrNames.PrefixTooLong(prefix))
        {
            throw new RepositoryFilterException(
                $"pattern {EcrNames.Quote(entry)}: the prefix is {prefix.Length} characters long, and no repository name (at most {EcrNames.MaxRepositoryNameLength} characters) starts with it");
        }

        return prefix.Length == 0 || EcrNames.CanStartRepositoryName(prefix)
            ? RepositoryPattern.Prefix(pattern)
            : throw new RepositoryFilterException(
                $"pattern {EcrNames.Quote(entry)}: the prefix {EcrNames.Quote(prefix)} cannot start a repository name (lowercase letters and digits, starting with one, separated by one '.', '_', '__', run of '-' or '/')");
    }
}
