namespace Replicator.Function.ReplicatedEvents;

/// <summary>
/// The retry budget of the replicated events: at most <see cref="MaxAttempts"/> PutEvents calls per entry, with
/// full-jitter backoff between rounds. Worst case per record: MaxAttempts × the client's 10 s timeout plus the
/// delays (3 × 10 s + 1 s + 2 s with the defaults, the delays throttling's), and only when EventBridge is unreachable.
/// </summary>
public sealed record ReplicatedEventSettings
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The base delay when a retried entry was throttled: botocore's standard mode waits up to 1 s, then 2 s
    /// (botocore/retries/standard.py, ExponentialBackoff base 1), long enough for a throttled account's PutEvents
    /// quota to refill, where 0.2 s would spend the budget within the same second.
    /// </summary>
    public TimeSpan ThrottlingBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After a publish whose every call failed without an answer (EventBridge unreachable or timing out: up to 33 s
    /// in the record's path), the events of the next records are given up unsent for this long, so a batch of ten
    /// records does not spend five minutes on an outage it cannot fix; the first publish after it tries again.
    /// </summary>
    public TimeSpan PauseAfterOutage { get; init; } = TimeSpan.FromSeconds(60);
}
