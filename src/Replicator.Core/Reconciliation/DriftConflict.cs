using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// A selected source tag that a destination holds at another digest in a repository where that tag is immutable:
/// PutImage would refuse it (ImageTagAlreadyExistsException) on every try, so no event is sent for it. An operator
/// resolves it: delete the destination's tag, or leave the tag out of TagFilter.
/// </summary>
public sealed record DriftConflict(string Repository, string Tag, string Digest, ReplicationDestination Destination, string DestinationRepository, string DestinationDigest);
