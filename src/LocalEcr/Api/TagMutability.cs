using System.Text.Json.Nodes;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>Whether a tag may move, from the repository's mutability and its WILDCARD exclusion filters.</summary>
internal static class TagMutability
{
    public static bool IsImmutable(Repository repository, string tag) => repository.TagMutability switch
    {
        "IMMUTABLE" => true,
        "IMMUTABLE_WITH_EXCLUSION" => !MatchesExclusion(repository.TagMutabilityExclusionFilters, tag),
        "MUTABLE_WITH_EXCLUSION" => MatchesExclusion(repository.TagMutabilityExclusionFilters, tag),
        _ => false,
    };

    private static bool MatchesExclusion(JsonArray? filters, string tag) =>
        filters is not null && filters.Any(f =>
            f?["filter"]?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && Wildcard(f["filter"]!.GetValue<string>(), tag));

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
