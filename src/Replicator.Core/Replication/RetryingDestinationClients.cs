using System.Collections.Concurrent;
using Replicator.Core.Ecr;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// The destinations' side of <see cref="RetryingEcrClientProvider"/>: every client a destination is written with
/// (its own account's role or keys, or the source's) runs its calls through the one retry policy, and its PutImage
/// attempts through the adaptive rate limiter of its registry and region.
/// </summary>
/// <remarks>
/// ECR's PutImage quota is 10 requests per second per account and region
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html), shared by every Lambda instance of the
/// function and every other writer: a fixed 10 per second in each instance would multiply it by their number. Each
/// limiter starts at <see cref="ReplicatorOptions.PutImageRatePerSecond"/> and slows down when throttled
/// (<see cref="AdaptiveRate"/>). Keyed by the destination's registry and region, since each account has its own quota.
/// </remarks>
public sealed class RetryingDestinationClients : IDestinationClients
{
    private readonly IDestinationClients _inner;
    private readonly EcrCallRunner _calls;
    private readonly double _putImageRatePerSecond;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string? Registry, string Region), AdaptiveRateLimiter> _putImageLimiters = new();

    /// <param name="putImageRatePerSecond">The ceiling of each registry and region's PutImage rate.</param>
    /// <param name="time">The clock the limiters wait on.</param>
    public RetryingDestinationClients(IDestinationClients inner, EcrCallRunner calls, double putImageRatePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(putImageRatePerSecond);
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _calls = calls ?? throw new ArgumentNullException(nameof(calls));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _putImageRatePerSecond = putImageRatePerSecond;
    }

    // Not cached: the inner client may change when its credentials are renewed; the limiters, which hold the state,
    // are kept.
    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount) =>
        new RetryingEcrClient(_inner.GetClient(destination, sourceAccount), _calls, destination.ToString(), PutImageLimiter(destination));

    /// <summary>The PutImage limiter of the destination's registry (null: the replicator's own account) and region.</summary>
    internal AdaptiveRateLimiter PutImageLimiter(ReplicationDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return _putImageLimiters.GetOrAdd(
            (destination.RegistryId, destination.Region),
            static (_, self) => new AdaptiveRateLimiter(self._putImageRatePerSecond, self._time),
            this);
    }

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) =>
        _inner.WritesWithSourceCredentials(destination, sourceAccount);

    public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) =>
        _inner.SignsWithStoredKey(destination, sourceAccount);

    public string? StoredKeyParameter(ReplicationDestination destination, string? sourceAccount) =>
        _inner.StoredKeyParameter(destination, sourceAccount);
}
