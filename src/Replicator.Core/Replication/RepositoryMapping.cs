using Replicator.Core.Configuration;
using Replicator.Core.Errors;
using Replicator.Core.Selection;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// <c>REPOSITORY_MAPPING=SOURCE_PREFIX=DEST_PREFIX,...</c>: the destination repository of a source repository.
/// The longest matching source prefix wins; a name no prefix matches keeps its name. ECR's own replication
/// cannot rename (its rules filter by prefix only), which is why mirrors such as <c>team/ -> mirror/team/</c>
/// need this. Immutable and thread-safe.
/// </summary>
public sealed class RepositoryMapping
{
    public const string Variable = "REPOSITORY_MAPPING";

    private readonly (string Source, string Destination)[] _rules;

    // The setting the rules were parsed from, named in the reason a mapped name is invalid: the user of the CLI's
    // --repository-mapping never set REPOSITORY_MAPPING, and a message naming it sends them to look for it.
    private readonly string _setting;

    private RepositoryMapping((string Source, string Destination)[] rules, string setting)
    {
        _setting = setting;
        // Longest source prefix first, so the first match is the longest; then by ordinal name. Parse refuses a source
        // listed twice, so this order is total and an unstable sort gives the one LINQ's OrderBy/ThenBy gave. Sorted in
        // place rather than with ThenBy, a generic virtual method, which Native AOT resolves through its type loader at
        // its first call: the mapping is built at init (Identity included), and that lookup took about half a
        // millisecond on a CPU of every cold start (docs/performance.md).
        _rules = [.. rules];
        Array.Sort(_rules, LongestSourceFirst);
    }

    private static int LongestSourceFirst((string Source, string Destination) a, (string Source, string Destination) b) =>
        a.Source.Length != b.Source.Length ? b.Source.Length.CompareTo(a.Source.Length) : string.CompareOrdinal(a.Source, b.Source);

    /// <summary>No rules: every repository keeps its name.</summary>
    public static RepositoryMapping Identity { get; } = new([], Variable);

    public bool IsIdentity => _rules.Length == 0;

    /// <summary>The rules, longest source prefix first.</summary>
    public IReadOnlyList<(string Source, string Destination)> Rules => _rules;

    /// <summary>
    /// Parses the variable's value; null or blank is <see cref="Identity"/>. Throws <see cref="SettingException"/>.
    /// <paramref name="setting"/> is what a mistake is reported under: here, and later when a mapped name is invalid.
    /// </summary>
    public static RepositoryMapping Parse(string? value, string setting = Variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Identity;
        }

        var rules = new List<(string, string)>();
        var entries = value.Split(',');
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i].Trim();
            if (entry.Length == 0)
            {
                // Said as REPOSITORY_FILTER says it: "entry '' must be SOURCE_PREFIX=..." hid a stray comma.
                throw new SettingException(setting, $"entry {i + 1} is empty (two commas in a row, or a comma at an end)");
            }

            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0 || entry.IndexOf('=', equals + 1) >= 0)
            {
                throw new SettingException(setting, $"entry {EcrNames.Quote(entry)} must be SOURCE_PREFIX=DESTINATION_PREFIX (the source prefix may be empty)");
            }

            var source = entry[..equals];
            var destination = entry[(equals + 1)..];
            if (PrefixProblem(source) is { } sourceProblem)
            {
                throw new SettingException(setting, $"entry {EcrNames.Quote(entry)}: the source prefix {sourceProblem}");
            }

            if (PrefixProblem(destination) is { } destinationProblem)
            {
                throw new SettingException(setting, $"entry {EcrNames.Quote(entry)}: the destination prefix {destinationProblem}");
            }

            if (rules.Any(r => r.Item1 == source))
            {
                throw new SettingException(setting, $"source prefix {EcrNames.Quote(source)} is listed twice");
            }

            rules.Add((source, destination));
        }

        return new RepositoryMapping([.. rules], setting);
    }

    /// <summary>
    /// The destination name of <paramref name="sourceRepository"/>, or a reason why the mapped name is not a
    /// valid ECR repository name (too long, or a prefix that joins into "a//b" or "a-/b").
    /// </summary>
    public bool TryMap(string sourceRepository, out string destinationRepository, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(sourceRepository);
        destinationRepository = sourceRepository;
        foreach (var (source, destination) in _rules)
        {
            if (sourceRepository.StartsWith(source, StringComparison.Ordinal))
            {
                destinationRepository = string.Concat(destination, sourceRepository.AsSpan(source.Length));
                break;
            }
        }

        problem = ReferenceEquals(destinationRepository, sourceRepository) ? null : EcrNames.ValidateRepositoryName(destinationRepository);
        if (problem is not null)
        {
            problem = $"{_setting} maps repository {EcrNames.Quote(sourceRepository)} to an invalid name: {problem}";
        }

        return problem is null;
    }

    /// <summary>The destination name; an invalid mapped name is a permanent <see cref="ReplicationException"/>.</summary>
    public string Map(string sourceRepository) => TryMap(sourceRepository, out var mapped, out var problem)
        ? mapped
        : throw new ReplicationException(ReplicationErrorCodes.InvalidRepositoryMapping, problem!, isTransient: false);

    /// <summary>
    /// Why two selected source repositories could get the same destination name under these rules, one reason per
    /// pair: two rules whose destination prefixes nest (<c>a/=x/</c> and <c>b/=x/b/</c> both give <c>x/b/app</c>), or a
    /// rule whose destination prefix an unmapped name can start with (<c>team/=</c> gives <c>team/app</c> the name of
    /// <c>app</c>). Conservative: a pair is reported when some names <paramref name="filter"/> includes (its exclusions
    /// aside) could collide, whatever repositories exist. Empty: the mapping is one to one on the selection.
    /// </summary>
    public IReadOnlyList<string> Collisions(RepositoryFilter? filter = null)
    {
        var problems = new List<string>();
        for (var i = 0; i < _rules.Length; i++)
        {
            for (var j = i + 1; j < _rules.Length; j++)
            {
                if ((RulesCollide(_rules[i], _rules[j], filter) ?? RulesCollide(_rules[j], _rules[i], filter)) is { } example)
                {
                    problems.Add($"rules {Rule(_rules[i])} and {Rule(_rules[j])} can give two repositories one destination name{example}");
                }
            }
        }

        foreach (var rule in _rules)
        {
            if (IdentityCollides(rule, filter) is { } example)
            {
                problems.Add($"rule {Rule(rule)} can give a repository the destination name of one no rule maps (which keeps its name){example}");
            }
        }

        return problems;
    }

    public override string ToString() => IsIdentity ? "(none)" : string.Join(',', _rules.Select(r => $"{r.Source}={r.Destination}"));

    private static string Rule((string Source, string Destination) rule) => EcrNames.Quote($"{rule.Source}={rule.Destination}");

    /// <summary>
    /// Non-null (an example, or empty) when a name of rule <paramref name="a"/> and one of rule <paramref name="b"/>
    /// can map to the same name, with <paramref name="b"/>'s destination prefix extending <paramref name="a"/>'s by some
    /// x: <c>Sa+x+z</c> and <c>Sb+z</c> both give <c>Db+z</c>, unless a longer source prefix takes every <c>Sa+x…</c>.
    /// </summary>
    private string? RulesCollide((string Source, string Destination) a, (string Source, string Destination) b, RepositoryFilter? filter)
    {
        if (!b.Destination.StartsWith(a.Destination, StringComparison.Ordinal))
        {
            return null;
        }

        var extended = a.Source + b.Destination[a.Destination.Length..];
        var shadowed = _rules.Any(k => k.Source.Length > a.Source.Length && extended.StartsWith(k.Source, StringComparison.Ordinal));
        if (shadowed || !Selectable(extended, filter) || !Selectable(b.Source, filter))
        {
            return null;
        }

        return Example(extended + "app", b.Source + "app");
    }

    /// <summary>
    /// Non-null when an unmapped name (one no source prefix matches, kept as is) can start with <paramref name="rule"/>'s
    /// destination prefix: impossible only when a source prefix is a prefix of every such name.
    /// </summary>
    private string? IdentityCollides((string Source, string Destination) rule, RepositoryFilter? filter)
    {
        if (!Selectable(rule.Source, filter))
        {
            return null;
        }

        IEnumerable<string> starts = filter is null ? [string.Empty] : filter.Includes.Where(p => p.IsPrefix).Select(p => p.Value);
        foreach (var start in starts)
        {
            // The names the pattern includes that start with the destination prefix start with the longer of the two.
            var longer = start.Length < rule.Destination.Length ? rule.Destination : start;
            if ((!start.StartsWith(rule.Destination, StringComparison.Ordinal) && !rule.Destination.StartsWith(start, StringComparison.Ordinal))
                || _rules.Any(k => longer.StartsWith(k.Source, StringComparison.Ordinal)))
            {
                continue;
            }

            var unmapped = longer + "app";
            return Example(rule.Source + unmapped[rule.Destination.Length..], unmapped);
        }

        // Exact names of the filter.
        foreach (var name in filter?.Includes.Where(p => !p.IsPrefix).Select(p => p.Value) ?? [])
        {
            if (name.StartsWith(rule.Destination, StringComparison.Ordinal) && !_rules.Any(k => name.StartsWith(k.Source, StringComparison.Ordinal)))
            {
                return Example(rule.Source + name[rule.Destination.Length..], name);
            }
        }

        return null;
    }

    /// <summary>Whether the filter includes (exclusions aside) some name that starts with <paramref name="prefix"/>.</summary>
    private static bool Selectable(string prefix, RepositoryFilter? filter) =>
        filter is null || filter.Includes.Any(p => p.IsPrefix
            ? p.Value.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(p.Value, StringComparison.Ordinal)
            : p.Value.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>": A and B both become C" when the two names really collide (a check of the reasoning above), else empty.</summary>
    private string Example(string one, string other) =>
        one != other && TryMap(one, out var first, out _) && TryMap(other, out var second, out _) && first == second
            ? $": {EcrNames.Quote(one)} and {EcrNames.Quote(other)} both become {EcrNames.Quote(first)}"
            : string.Empty;

    // A prefix is any start of a valid name: the characters ECR allows, no separator run ECR refuses. A source prefix
    // that no name starts with would match nothing, so the names it was meant for keep theirs; a destination prefix
    // that no name starts with makes every name of its rule invalid. Whether the joined name is valid (its length) is
    // checked per name, in TryMap.
    private static string? PrefixProblem(string prefix)
    {
        if (prefix.Length > EcrNames.MaxRepositoryNameLength)
        {
            return $"is longer than {EcrNames.MaxRepositoryNameLength} characters";
        }

        if (EcrNames.PrefixTooLong(prefix))
        {
            return $"is {prefix.Length} characters and not a repository name itself, so every name it starts is longer than {EcrNames.MaxRepositoryNameLength} characters";
        }

        if (prefix.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/')))
        {
            return $"{EcrNames.Quote(prefix)} may hold only lowercase letters, digits, '.', '_', '-' and '/'";
        }

        if (prefix.Length > 0 && !char.IsAsciiLetterOrDigit(prefix[0]))
        {
            return $"{EcrNames.Quote(prefix)} must start with a lowercase letter or a digit";
        }

        return prefix.Length == 0 || EcrNames.CanStartRepositoryName(prefix)
            ? null
            : $"{EcrNames.Quote(prefix)} cannot start a repository name: ECR separates letters and digits by one '.', '_', '__', run of '-' or '/' (so no '//', '-/' or '..')";
    }
}
