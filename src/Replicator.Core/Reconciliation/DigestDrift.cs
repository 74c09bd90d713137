namespace Replicator.Core.Reconciliation;

/// <summary>
/// The drift of one source digest: the events its destinations need, and the tags no event can heal
/// (<see cref="DriftConflict"/>), which are left out of <see cref="Items"/>.
/// </summary>
public sealed record DigestDrift(IReadOnlyList<DriftItem> Items, IReadOnlyList<DriftConflict> Conflicts)
{
    public static DigestDrift None { get; } = new([], []);
}
