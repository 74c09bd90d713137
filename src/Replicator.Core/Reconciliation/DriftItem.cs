using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// One event the destinations need: a PUSH of <see cref="Digest"/> (with <see cref="Tag"/>, or by digest for a
/// referrer), or for <see cref="DriftKind.DeletedTag"/> a DELETE of the tag at the digest the destination holds.
/// <see cref="Repository"/> is the source name; <see cref="Destinations"/> the ones that differ.
/// </summary>
public sealed record DriftItem(string Repository, string Digest, string? Tag, DriftKind Kind, IReadOnlyList<ReplicationDestination> Destinations)
{
    public bool IsDelete => Kind == DriftKind.DeletedTag;
}
