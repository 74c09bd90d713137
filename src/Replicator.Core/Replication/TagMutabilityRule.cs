using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Replication;

/// <summary>
/// A destination repository's tag mutability, as DescribeRepositories reports it: whether a tag there may be moved to
/// another digest. IMMUTABLE_WITH_EXCLUSION makes every tag immutable but those matching an exclusion filter;
/// MUTABLE_WITH_EXCLUSION the reverse (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
/// </summary>
public sealed record TagMutabilityRule(string? Mutability, IReadOnlyList<ImageTagMutabilityExclusionFilter> ExclusionFilters)
{
    /// <summary>What a repository without a setting does: every tag may move.</summary>
    public static TagMutabilityRule Mutable { get; } = new(ImageTagMutability.Mutable, []);

    public static TagMutabilityRule From(Repository repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        return new(repository.ImageTagMutability, repository.ImageTagMutabilityExclusionFilters ?? []);
    }

    /// <summary>True when PutImage would refuse to move <paramref name="tag"/> to another digest.</summary>
    public bool IsImmutable(string tag) => Mutability switch
    {
        ImageTagMutability.Immutable => true,
        ImageTagMutability.ImmutableWithExclusion => !Excluded(tag),
        ImageTagMutability.MutableWithExclusion => Excluded(tag),
        _ => false,
    };

    private bool Excluded(string tag) =>
        ExclusionFilters.Any(f => f.Filter is { } pattern && f.FilterType is null or ImageTagMutabilityExclusionFilterType.Wildcard && Wildcard(pattern, tag));

    /// <summary>
    /// A WILDCARD filter: '*' matches any run of characters (none included), everything else itself. The parts between
    /// stars are found left to right, each at its first place after the previous: with only '*', the leftmost place
    /// never loses a match a later one would have made.
    /// </summary>
    internal static bool Wildcard(string pattern, string text)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, text, StringComparison.Ordinal);
        }

        if (!text.StartsWith(parts[0], StringComparison.Ordinal))
        {
            return false;
        }

        var at = parts[0].Length;
        foreach (var part in parts[1..^1])
        {
            var found = text.IndexOf(part, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + part.Length;
        }

        return text.Length - at >= parts[^1].Length && text.EndsWith(parts[^1], StringComparison.Ordinal);
    }
}
