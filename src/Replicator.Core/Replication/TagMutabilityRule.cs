using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Replication;

/// <summary>
/// A destination repository's tag mutability, as DescribeRepositories reports it: whether a tag there may be moved to
/// another digest. IMMUTABLE_WITH_EXCLUSION makes every tag immutable but those matching an exclusion filter;
/// MUTABLE_WITH_EXCLUSION the reverse (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html).
/// </summary>
/// <remarks>
/// Whether ECR matches a filter ignoring case is not documented (docs/fidelity.md, known unknowns). This rule predicts a
/// refusal only where both readings refuse: PutImage judges the tag at the end anyway, and a refusal predicted where ECR
/// would move the tag would dead-letter a copy (or drop a reconciler's event) that ECR takes. So an
/// IMMUTABLE_WITH_EXCLUSION filter frees a tag of any case ("dev-*" frees "DEV-main"), and a MUTABLE_WITH_EXCLUSION
/// filter fixes only a tag of its own case. LocalEcr, which must be at least as strict as ECR, takes the other reading of
/// each.
/// </remarks>
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
        ImageTagMutability.ImmutableWithExclusion => !Excluded(tag, ignoreCase: true),
        ImageTagMutability.MutableWithExclusion => Excluded(tag, ignoreCase: false),
        _ => false,
    };

    private bool Excluded(string tag, bool ignoreCase) =>
        ExclusionFilters.Any(f => f.Filter is { } pattern && f.FilterType is null or ImageTagMutabilityExclusionFilterType.Wildcard
            && (ignoreCase ? Wildcard(pattern.ToLowerInvariant(), tag.ToLowerInvariant()) : Wildcard(pattern, tag)));

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
