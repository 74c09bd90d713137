namespace Replicator.Function.Redelivery;

/// <summary>RETRY_BASE_SECONDS and RETRY_MAX_SECONDS: the first redelivery delay and its cap.</summary>
public sealed record RedeliverySettings
{
    public int BaseSeconds { get; init; } = RedeliveryBackoff.DefaultBaseSeconds;

    public int MaxSeconds { get; init; } = RedeliveryBackoff.DefaultMaxSeconds;
}
