using System.Collections.Concurrent;
using Replicator.Core.Ecr;

namespace Replicator.Core.Resilience;

/// <summary>Hands out each region's client wrapped in <see cref="RetryingEcrClient"/>, one wrapper per region.</summary>
public sealed class RetryingEcrClientProvider : IEcrClientProvider
{
    private readonly IEcrClientProvider _inner;
    private readonly EcrCallRunner _calls;
    private readonly ConcurrentDictionary<string, IEcrClient> _clients = new(StringComparer.Ordinal);

    public RetryingEcrClientProvider(IEcrClientProvider inner, EcrCallRunner calls)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _calls = calls ?? throw new ArgumentNullException(nameof(calls));
    }

    public IEcrClient GetClient(string region) =>
        _clients.GetOrAdd(region, static (r, self) => new RetryingEcrClient(self._inner.GetClient(r), self._calls, r), this);
}
