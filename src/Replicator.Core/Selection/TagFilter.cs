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
    /// eating the invocation. A tag is at most 128 characters (ECR API reference, PutImage <c>imageTag</c>), which a
    /// sane pattern matches in microseconds.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The anchored expression (<c>v1.*</c> must not accept <c>dev-v1</c>), or null for an empty pattern (every tag).
    /// Throws <see cref="ArgumentException"/> when <paramref name="pattern"/> is not a valid regular expression.
    /// </summary>
    public static Regex? Create(string? pattern) =>
        string.IsNullOrEmpty(pattern) ? null : new Regex($"^(?:{pattern})$", RegexOptions.CultureInvariant, MatchTimeout);
}
