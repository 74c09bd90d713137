using Replicator.Core.Planning;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The drift of one source digest: the events its destinations need, and the tags no event can heal
/// (<see cref="DriftConflict"/>), which are left out of <see cref="Items"/>.
/// </summary>
public sealed record DigestDrift(IReadOnlyList<DriftItem> Items, IReadOnlyList<DriftConflict> Conflicts)
{
    public static DigestDrift None { get; } = new([], []);

    /// <summary>
    /// The subjects of the walk whose referrers the source would not list, with an error a retry would meet again
    /// (<see cref="Replication.ReferrerListing.IsLastingFailure"/>); null when every listing answered. The walk went
    /// on without them: their referrers are not compared, and nothing is enqueued for them.
    /// </summary>
    public UnlistedReferrers? ReferrersUnlisted { get; init; }
}
