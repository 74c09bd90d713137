using Replicator.Core.Ecr;

namespace Replicator.Core.Replication;

/// <summary>The ECR client that writes to one destination, signed with that destination's credentials.</summary>
public interface IDestinationClients
{
    /// <param name="destination">Where to write.</param>
    /// <param name="sourceAccount">The source image's account (null: the caller's own), to tell a same-account destination.</param>
    IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount);
}
