using System.Text.Json.Nodes;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>Whether a tag may move, from the repository's mutability and its WILDCARD exclusion filters.</summary>
/// <remarks>
/// ECR documents no case folding for ImageTagMutabilityExclusionFilter (tags are case-sensitive, and the model's filter
/// pattern, [0-9a-zA-Z._*-], tells upper from lower case), so LocalEcr takes whichever reading keeps more tags
/// immutable: under IMMUTABLE_WITH_EXCLUSION a filter frees only a tag of its case ("dev-*" frees "dev-main", not
/// "DEV-main"), and under MUTABLE_WITH_EXCLUSION it fixes a tag of any case ("release-*" fixes "RELEASE-1" too).
/// </remarks>
internal static class TagMutability
{
    public static bool IsImmutable(Repository repository, string tag) => repository.TagMutability switch
    {
        "IMMUTABLE" => true,
        "IMMUTABLE_WITH_EXCLUSION" => !MatchesExclusion(repository.TagMutabilityExclusionFilters, tag, ignoreCase: false),
        "MUTABLE_WITH_EXCLUSION" => MatchesExclusion(repository.TagMutabilityExclusionFilters, tag, ignoreCase: true),
        _ => false,
    };

    private static bool MatchesExclusion(JsonArray? filters, string tag, bool ignoreCase) =>
        filters is not null && filters.Any(f =>
            f?["filter"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && (ignoreCase
                ? Wildcard(f["filter"]!.GetValue<string>().ToLowerInvariant(), tag.ToLowerInvariant())
                : Wildcard(f["filter"]!.GetValue<string>(), tag)));

    /// <summary>'*' matches any run of characters; everything else literally.</summary>
    public static bool Wildcard(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
