using System.Text.RegularExpressions;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// <see cref="DriftSelection.IncludeTag"/> over one repository's listing, where a match that runs past its timeout
/// leaves the tag out and is recorded (<see cref="TimedOut"/>) instead of failing the repository. A tag whose match timed out is not matched
/// again: destinations holding the same tag do not each wait out the timeout.
/// </summary>
internal sealed class GuardedTagFilter(string repository, Func<string, bool> includeTag)
{
    private readonly HashSet<string> _timedOutTags = new(StringComparer.Ordinal);

    private readonly List<TagFilterTimeout> _timedOut = [];

    /// <summary>The tags whose match timed out, in the order they were met.</summary>
    public IReadOnlyList<TagFilterTimeout> TimedOut => _timedOut;

    public bool Includes(string tag)
    {
        if (_timedOutTags.Contains(tag))
        {
            return false;
        }

        try
        {
            return includeTag(tag);
        }
        catch (RegexMatchTimeoutException e)
        {
            // Not selected: nothing is pushed or deleted on a decision that was not made. The timeout counts elapsed
            // time, so a pause can cause it once; a pattern that backtracks catastrophically on the tag causes it on
            // every pass (https://learn.microsoft.com/dotnet/standard/base-types/best-practices-regex#use-time-out-values).
            _timedOutTags.Add(tag);
            _timedOut.Add(new TagFilterTimeout(repository, tag, e.MatchTimeout));
            return false;
        }
    }
}
