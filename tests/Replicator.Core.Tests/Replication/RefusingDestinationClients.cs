using Replicator.Core.Ecr;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// Destination clients of which one region's cannot be made (its credentials cannot be had): asking for it throws
/// what <paramref name="refusal"/> gives (an <see cref="InvalidOperationException"/> by default), and is counted.
/// </summary>
internal sealed class RefusingDestinationClients(EngineHarness h, string refused, Func<ReplicationDestination, Exception>? refusal = null) : IDestinationClients
{
    private int _refusals;

    /// <summary>How many times the refused region's client was asked for.</summary>
    public int Refusals => _refusals;

    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount)
    {
        if (destination.Region != refused)
        {
            return h.Client(destination.Region);
        }

        Interlocked.Increment(ref _refusals);
        throw refusal?.Invoke(destination) ?? new InvalidOperationException($"no client for {destination}");
    }

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) => true;

    public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) => false;
}
