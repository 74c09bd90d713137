namespace Replicator.Core.Reconciliation;

/// <summary>
/// A tag whose selection could not be decided: the tag filter's match on it ran past its timeout
/// (<see cref="Selection.TagFilter.MatchTimeout"/>). The tag is left out of the pass, neither pushed nor deleted, and
/// the rest of its repository is compared: one tag on which a pattern backtracks catastrophically must not keep the
/// whole repository out of every pass.
/// </summary>
/// <param name="Repository">The source repository whose listing (or a destination's, for a delete) holds the tag.</param>
/// <param name="Tag">The tag, as the listing gave it.</param>
/// <param name="MatchTimeout">The bound the match ran past.</param>
public sealed record TagFilterTimeout(string Repository, string Tag, TimeSpan MatchTimeout);
