using Microsoft.Extensions.Time.Testing;

namespace Replicator.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that records the due time of every timer created, which is the wait the code
/// under test asked for, and tells when the first one is set: a test waits for the wait, not for time.
/// </summary>
public sealed class TimerRecordingTimeProvider : FakeTimeProvider
{
    private readonly List<TimeSpan> _dueTimes = [];
    private readonly TaskCompletionSource<TimeSpan> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimerRecordingTimeProvider()
    {
    }

    public TimerRecordingTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    /// <summary>The due time of each timer created so far, in order.</summary>
    public IReadOnlyList<TimeSpan> DueTimes
    {
        get
        {
            lock (_dueTimes)
            {
                return [.. _dueTimes];
            }
        }
    }

    /// <summary>Completes with the first timer's due time once one is created.</summary>
    public Task<TimeSpan> FirstTimer => _first.Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
        }

        var timer = base.CreateTimer(callback, state, dueTime, period);
        _first.TrySetResult(dueTime);
        return timer;
    }
}
