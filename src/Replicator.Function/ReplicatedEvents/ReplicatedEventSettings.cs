namespace Replicator.Function.ReplicatedEvents;

/// <summary>
/// The retry budget of the replicated events: at most <see cref="MaxAttempts"/> PutEvents calls per entry, with
/// full-jitter backoff between rounds. Worst case per record: MaxAttempts × the client's 10 s timeout plus the
/// delays (3 × 10 s + 0.2 s + 0.4 s with the defaults), and only when EventBridge is unreachable.
/// </summary>
public sealed record ReplicatedEventSettings
{
    public int MaxAttempts { get; init; } = 3;

    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(2);
}
