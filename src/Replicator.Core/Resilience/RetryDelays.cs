namespace Replicator.Core.Resilience;

/// <summary>
/// Pure backoff arithmetic: exponential with full jitter ("Exponential Backoff And Jitter", AWS Architecture
/// Blog, 2015), capped. Throttling gets a larger base so that a throttled account backs off harder than a
/// flaky connection. The random source is injected so tests are deterministic.
/// </summary>
public static class RetryDelays
{
    /// <param name="attempt">0 for the first retry.</param>
    /// <param name="baseDelay">Delay scale of the first retry.</param>
    /// <param name="maxDelay">Upper bound of any single delay.</param>
    /// <param name="unitRandom">A value in [0, 1).</param>
    public static TimeSpan Compute(int attempt, TimeSpan baseDelay, TimeSpan maxDelay, double unitRandom)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (unitRandom is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(unitRandom), unitRandom, "must be in [0, 1)");
        }

        // 2^attempt overflows quickly; beyond 30 doublings the cap always wins.
        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
        var ceiling = Math.Min(exponential, maxDelay.TotalMilliseconds);

        // Full jitter, but never below a tenth of the ceiling so retries do not bunch up at zero.
        return TimeSpan.FromMilliseconds(ceiling * (0.1 + (0.9 * unitRandom)));
    }
}
