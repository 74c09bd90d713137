using Replicator.Core.Ecr;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>Destination clients of which one region's cannot be made (its credentials cannot be had).</summary>
internal sealed class RefusingDestinationClients(EngineHarness h, string refused) : IDestinationClients
{
    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount) =>
        destination.Region == refused ? throw new InvalidOperationException($"no client for {destination}") : h.Client(destination.Region);

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) => true;

    public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) => false;
}
