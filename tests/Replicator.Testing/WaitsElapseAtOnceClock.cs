using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Replicator.Testing;

/// <summary>
/// A fake clock on which every wait (a <c>Task.Delay</c>: a retry's backoff) ends as soon as it starts, by moving the
/// clock by its due time, so a command's retries cost no real time and the test still sees each wait. A timeout (the
/// timer of a <see cref="CancellationTokenSource"/>: the per-request timeout) is left to the clock, which only those
/// waits move; otherwise every request would time out at once. <paramref name="onWait"/> runs as each wait starts,
/// before the clock moves: a test's way to change the world during a backoff.
/// </summary>
public sealed class WaitsElapseAtOnceClock(Action? onWait = null) : FakeTimeProvider(DateTimeOffset.UtcNow)
{
    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (state is not CancellationTokenSource && dueTime > TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            Waits.Enqueue(dueTime);
            onWait?.Invoke();
            Advance(dueTime);
        }

        return timer;
    }
}
