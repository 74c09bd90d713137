using Replicator.Core.Replication;

namespace Replicator.Core.Reconciliation;

/// <summary>A destination and what its repository (the mapped name) holds.</summary>
public sealed record DestinationListing(ReplicationDestination Destination, RepositoryListing Listing);
