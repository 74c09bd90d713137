using Replicator.Core.Planning;

namespace Replicator.Cli.Inventory;

/// <summary>
/// The referrers a walk found, and the subjects whose referrers the source would not list (null when it listed them
/// all): those referrers are unknown, so they can be neither missing nor in sync.
/// </summary>
public sealed record ReferrerWalk(IReadOnlyList<ReferrerEntry> Found, UnlistedReferrers? Unlisted)
{
    /// <summary>
    /// True when the walk stopped at <see cref="ReferrerInventory.MaxReferrers"/> with more referrers to follow: those
    /// past the bound were not checked, so they are neither missing nor in sync.
    /// </summary>
    public bool Capped { get; init; }
}
