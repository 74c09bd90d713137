using Replicator.Core.Configuration;
using Replicator.Core.Errors;
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

    private RepositoryMapping((string Source, string Destination)[] rules)
    {
        // Longest source prefix first, so the first match is the longest.
        _rules = [.. rules.OrderByDescending(r => r.Source.Length).ThenBy(r => r.Source, StringComparer.Ordinal)];
    }

    /// <summary>No rules: every repository keeps its name.</summary>
    public static RepositoryMapping Identity { get; } = new([]);

    public bool IsIdentity => _rules.Length == 0;

    /// <summary>The rules, longest source prefix first.</summary>
    public IReadOnlyList<(string Source, string Destination)> Rules => _rules;

    /// <summary>Parses the variable's value; null or blank is <see cref="Identity"/>. Throws <see cref="SettingException"/>.</summary>
    public static RepositoryMapping Parse(string? value, string setting = Variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return Identity;
        }

        var rules = new List<(string, string)>();
        foreach (var raw in value.Split(','))
        {
            var entry = raw.Trim();
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

        return new RepositoryMapping([.. rules]);
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
            problem = $"{Variable} maps repository {EcrNames.Quote(sourceRepository)} to an invalid name: {problem}";
        }

        return problem is null;
    }

    /// <summary>The destination name; an invalid mapped name is a permanent <see cref="ReplicationException"/>.</summary>
    public string Map(string sourceRepository) => TryMap(sourceRepository, out var mapped, out var problem)
        ? mapped
        : throw new ReplicationException(ReplicationErrorCodes.InvalidRepositoryMapping, problem!, isTransient: false);

    public override string ToString() => IsIdentity ? "(none)" : string.Join(',', _rules.Select(r => $"{r.Source}={r.Destination}"));

    // A prefix is any start of a valid name: the characters ECR allows, no separator run ECR refuses.
    // Whether the joined name is valid is checked per name, in TryMap.
    private static string? PrefixProblem(string prefix)
    {
        if (prefix.Length > EcrNames.MaxRepositoryNameLength)
        {
            return $"is longer than {EcrNames.MaxRepositoryNameLength} characters";
        }

        if (prefix.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-' or '/')))
        {
            return $"{EcrNames.Quote(prefix)} may hold only lowercase letters, digits, '.', '_', '-' and '/'";
        }

        if (prefix.Length > 0 && !char.IsAsciiLetterOrDigit(prefix[0]))
        {
            return $"{EcrNames.Quote(prefix)} must start with a lowercase letter or a digit";
        }

        return prefix.Contains("//", StringComparison.Ordinal) ? $"{EcrNames.Quote(prefix)} must not contain '//'" : null;
    }
}
