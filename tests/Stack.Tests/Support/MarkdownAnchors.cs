using System.Text;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>
/// The anchors GitHub gives a Markdown document's headings, and the links to headings that name none. GitHub's rule
/// (github/cmark-gfm's heading ids, as rendered on github.com): the heading's text in lower case, every character
/// that is not a letter, a digit, a space, '-' or '_' dropped, each space a '-', and a heading whose anchor was taken
/// already gets '-1', '-2', ... after it. Headings inside fenced code blocks are not headings.
/// </summary>
public static partial class MarkdownAnchors
{
    /// <summary>The anchors of every heading of <paramref name="markdown"/>.</summary>
    public static IReadOnlySet<string> Of(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var fenced = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                fenced = !fenced;
                continue;
            }

            if (!fenced && Heading().Match(line) is { Success: true } heading)
            {
                var slug = Slug(heading.Groups[1].Value);
                var taken = seen.GetValueOrDefault(slug);
                seen[slug] = taken + 1;
                anchors.Add(taken == 0 ? slug : $"{slug}-{taken}");
            }
        }

        return anchors;
    }

    /// <summary>The anchor of one heading's text.</summary>
    public static string Slug(string heading)
    {
        ArgumentNullException.ThrowIfNull(heading);
        var slug = new StringBuilder(heading.Length);
        foreach (var c in heading.Trim().ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c) || c is '-' or '_')
            {
                slug.Append(c);
            }
            else if (c == ' ')
            {
                slug.Append('-');
            }
        }

        return slug.ToString();
    }

    /// <summary>
    /// The links of <paramref name="markdown"/> (a document at <paramref name="path"/>, relative to the repository) to a
    /// heading of a document of the repository, as (the linked document's path, the anchor); web addresses left out.
    /// </summary>
    public static IEnumerable<(string Document, string Anchor)> LinksIn(string path, string markdown)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(markdown);
        foreach (Match link in HeadingLink().Matches(markdown))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal))
            {
                continue;
            }

            yield return (target.Length == 0 ? path : Resolve(path, target), link.Groups[2].Value);
        }
    }

    /// <summary>A link's target, relative to the document at <paramref name="path"/>, as a path from the repository's root.</summary>
    private static string Resolve(string path, string target)
    {
        var parts = new List<string>(path.Split('/')[..^1]);
        foreach (var part in target.Split('/'))
        {
            if (part == "..")
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else if (part is not ("." or ""))
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    [GeneratedRegex(@"^#{1,6} (.*?)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\]\(([^)\s#]*)#([^)\s]+)\)")]
    private static partial Regex HeadingLink();
}
