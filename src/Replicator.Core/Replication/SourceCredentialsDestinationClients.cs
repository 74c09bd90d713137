using Replicator.Core.Ecr;

namespace Replicator.Core.Replication;

/// <summary>Every destination written with the source's credentials: regions of one account, and tests without STS.</summary>
public sealed class SourceCredentialsDestinationClients(IEcrClientProvider clients) : IDestinationClients
{
    private readonly IEcrClientProvider _clients = clients ?? throw new ArgumentNullException(nameof(clients));

    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _clients.GetClient(destination.Region);
    }

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) => true;

    public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) => false;
}
