namespace Replicator.Core.Planning;

/// <summary>
/// The late-event rule: events can arrive late or out of order, so a tag is moved to the requested digest only
/// while the source tag still points at it. The digest itself is always copied; only the tag waits.
/// </summary>
public static class TagDecision
{
    /// <param name="requestedDigest">The digest the event (or request) names.</param>
    /// <param name="currentSourceTagDigest">What the tag resolves to at the source now; null when the tag is gone.</param>
    public static bool ShouldMoveTag(string requestedDigest, string? currentSourceTagDigest) =>
        currentSourceTagDigest is not null && string.Equals(requestedDigest, currentSourceTagDigest, StringComparison.Ordinal);
}
