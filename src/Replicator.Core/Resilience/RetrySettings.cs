namespace Replicator.Core.Resilience;

/// <summary>How hard ECR calls are retried. The caller's cancellation token bounds the total time.</summary>
public sealed record RetrySettings
{
    public int MaxRetries { get; init; } = 6;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Throttling backs off harder: the account's request rate is the problem, not the connection.</summary>
    public TimeSpan ThrottlingBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(20);
}
