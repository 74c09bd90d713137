using Replicator.Core.Errors;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>The plans of one request, one per destination in the request's order.</summary>
/// <param name="ImmutableTagConflicts">
/// The destinations whose repository keeps the request's tag immutable at another digest, with that digest: the copy
/// would upload the image and then be refused the tag (<see cref="Errors.ReplicationErrorCodes.ImmutableTagConflict"/>).
/// </param>
/// <param name="TagLeftAlone">
/// The request's tag no longer names its digest in the source (moved or removed since the request was made): the copy
/// would copy the digest and leave each destination's tag alone (<see cref="Planning.TagDecision"/>), so the plans
/// move no tag.
/// </param>
/// <param name="CreationRefusals">
/// The destinations where the copy would fail to create the missing repository from the source's settings, with the
/// failure it would report (<see cref="Errors.ReplicationErrorCodes.KmsKeyNotConfigured"/>).
/// </param>
public sealed record ReplicationPreview(
    ImageReference Source,
    string SourceDigest,
    IReadOnlyList<(ReplicationDestination Destination, ReplicationPlan Plan)> Destinations,
    IReadOnlyDictionary<ReplicationDestination, string>? ImmutableTagConflicts = null,
    bool TagLeftAlone = false,
    IReadOnlyDictionary<ReplicationDestination, ReplicationException>? CreationRefusals = null)
{
    /// <summary>
    /// Why the copy would fail to create the missing repository in <paramref name="destination"/> before it copies
    /// anything (a KMS-encrypted source without a key for it: KmsKeyNotConfigured), or null.
    /// </summary>
    public ReplicationException? CreationRefusal(ReplicationDestination destination) =>
        CreationRefusals is not null && CreationRefusals.TryGetValue(destination, out var refusal) ? refusal : null;

    /// <summary>The digest an immutable tag names in <paramref name="destination"/>, when the copy would be refused the tag there.</summary>
    public string? ImmutableTagConflict(ReplicationDestination destination) =>
        ImmutableTagConflicts is not null && ImmutableTagConflicts.TryGetValue(destination, out var digest) ? digest : null;
}
