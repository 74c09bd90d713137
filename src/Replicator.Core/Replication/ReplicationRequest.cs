namespace Replicator.Core.Replication;

/// <summary>Replicate one source image to each destination, independently.</summary>
public sealed record ReplicationRequest(ImageReference Source, IReadOnlyList<ReplicationDestination> Destinations)
{
    /// <summary>
    /// Copy the image only as a referrer (its manifest has a <c>subject</c>) and only to destinations that already hold
    /// that subject; anything else is <see cref="ReplicationOutcome.Skipped"/>. For an untagged push under a tag
    /// filter: an untagged child travels with its selected index, a referrer with its selected subject, so nothing
    /// untagged enters a destination on its own and the subject is never copied first.
    /// </summary>
    public bool UntaggedReferrersOnly { get; init; }
}
