namespace Replicator.Core.Resilience;

/// <summary>
/// Spaces calls so that at most <c>ratePerSecond</c> start in any second, across every caller sharing the
/// instance, at a fixed rate: it paces the reconciler's reads, one scheduled run at a time. It knows nothing of other
/// processes, so it cannot keep a quota that several share: N Lambda instances pacing PutImage at ECR's 10 per second
/// per account and region (https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html) would send up
/// to N times that. PutImage goes through an <see cref="AdaptiveRateLimiter"/> instead, which slows down when
/// throttled.
/// </summary>
public sealed class RequestPacer
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly long _intervalTicks;
    private readonly Lock _gate = new();
    private long _nextSlot;

    public RequestPacer(double ratePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _time = time;
        _origin = time.GetTimestamp();
        _intervalTicks = (long)(TimeSpan.TicksPerSecond / ratePerSecond);
    }

    /// <summary>Waits until the caller's slot; returns at once when the rate is not exceeded.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        // Slots are kept on the monotonic timestamp, not the wall clock: an NTP step back of X would otherwise make
        // every caller already queued wait X more (TimeProvider.GetTimestamp, like Stopwatch, never goes back).
        var delay = Reserve(_time.GetElapsedTime(_origin).Ticks);
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    /// <summary>Takes the next free slot at or after <paramref name="nowTicks"/> (monotonic, in <see cref="TimeSpan"/> ticks); returns how long to wait for it.</summary>
    internal TimeSpan Reserve(long nowTicks)
    {
        lock (_gate)
        {
            var slot = Math.Max(nowTicks, _nextSlot);
            _nextSlot = slot + _intervalTicks;
            return TimeSpan.FromTicks(slot - nowTicks);
        }
    }
}
