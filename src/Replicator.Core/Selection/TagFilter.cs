using System.Text.RegularExpressions;

namespace Replicator.Core.Selection;

/// <summary>
/// The tag filter of both shells (the function's TAG_FILTER, the CLI's <c>--tag-filter</c>), built here once so one
/// pattern means the same everywhere.
/// </summary>
public static class TagFilter
{
    /// <summary>
    /// The bound on one match: a pathological pattern fails with <see cref="RegexMatchTimeoutException"/> instead of
    /// eating the invocation. A tag is at most 300 characters (botocore's ECR model, <c>ImageTag</c>), which a
    /// sane pattern matches in microseconds. One second, not less: the timeout counts elapsed time, not CPU time
    /// (https://learn.microsoft.com/dotnet/standard/base-types/best-practices-regex#use-time-out-values), and a
    /// 128 MB Lambda gets about 1/14 of a vCPU (one vCPU at 1,769 MB,
    /// https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html), so a GC pause or a descheduled
    /// thread can stretch a sane match past a tighter bound. The function's Redactor gives its patterns the same second.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The anchored expression (<c>v1.*</c> must not accept <c>dev-v1</c>), or null for an empty pattern (every tag).
    /// Throws <see cref="ArgumentException"/> when <paramref name="pattern"/> is only white space or not a valid regular expression; its
    /// message is about the pattern as given: for <c>v[0-9</c>, "is not a valid regular expression: unterminated bracket at character 5"
    /// (counted in the pattern as given, white space before it included).
    /// </summary>
    public static Regex? Create(string? pattern)
    {
        if (string.IsNullOrEmpty(pattern))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(pattern))
        {
            // A tag holds no white space (the distribution reference grammar's tag, [\w][\w.-]{0,127}:
            // https://github.com/distribution/reference/blob/main/reference.go), so this pattern would select nothing, and
            // every push would be skipped without a word. Likely a blank template parameter or an unset shell variable.
            throw new ArgumentException("is only white space, which matches no tag (a tag holds none): leave it empty to replicate every tag");
        }

        // White space around the pattern is dropped, as around every other setting: a literal space at either end
        // can match no tag, so "^v[0-9]+ " (a template value with a space left after it) selected nothing and every
        // push was skipped without a word. In (?x) mode such white space meant nothing anyway.
        var lead = pattern.Length - pattern.TrimStart().Length;
        pattern = pattern.Trim();

        try
        {
            // The pattern alone first: its errors then point into what the user typed, and one that parses only inside
            // the anchoring wrapper, such as a)|(b, which would escape the anchors, is refused.
            _ = new Regex(pattern, RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (RegexParseException e)
        {
            // Said here, not by the framework: Native AOT builds drop its message texts (UseSystemResourceKeys, see
            // https://learn.microsoft.com/dotnet/core/deploying/trimming/trimming-options), leaving resource keys.
            var at = Math.Clamp(e.Offset, 0, pattern.Length) + lead;
            throw new ArgumentException($"is not a valid regular expression: {Words(e.Error.ToString())} at character {at}", e);
        }

        // \z, not $: in .NET, $ also matches before a final newline, and the whole tag must match.
        try
        {
            return new Regex($"^(?:{pattern})\\z", RegexOptions.CultureInvariant, MatchTimeout);
        }
        catch (RegexParseException)
        {
            // A pattern valid alone fails inside the wrapper only when it ends in a # comment of (?x) mode, which runs
            // to the end of the line and swallows the wrapper's ")\z" (in x-mode, # starts a comment up to a line
            // break: https://learn.microsoft.com/dotnet/standard/base-types/miscellaneous-constructs-in-regular-expressions).
            // A line break ends the comment, and x-mode, still on there, ignores it as white space.
            return new Regex($"^(?:{pattern}\n)\\z", RegexOptions.CultureInvariant, MatchTimeout);
        }
    }

    // RegexParseError names read as words: UnterminatedBracket -> "unterminated bracket".
    private static string Words(string name)
    {
        var words = new System.Text.StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0)
            {
                words.Append(' ');
            }

            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }
}
