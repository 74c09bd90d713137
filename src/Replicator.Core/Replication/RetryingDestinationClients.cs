using Replicator.Core.Ecr;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// The destinations' side of <see cref="RetryingEcrClientProvider"/>: every client a destination is written with
/// (its own account's role or keys, or the source's) runs its calls through the one retry policy.
/// </summary>
public sealed class RetryingDestinationClients : IDestinationClients
{
    private readonly IDestinationClients _inner;
    private readonly EcrCallRunner _calls;

    public RetryingDestinationClients(IDestinationClients inner, EcrCallRunner calls)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _calls = calls ?? throw new ArgumentNullException(nameof(calls));
    }

    // Not cached: the inner client may change when its credentials are renewed, and the decorator holds no state.
    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount) =>
        new RetryingEcrClient(_inner.GetClient(destination, sourceAccount), _calls);

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) =>
        _inner.WritesWithSourceCredentials(destination, sourceAccount);
}
