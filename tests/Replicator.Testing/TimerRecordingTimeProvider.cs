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
    private readonly List<(Func<TimeSpan, bool> Match, TaskCompletionSource<TimeSpan> Found)> _matchers = [];

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

    /// <summary>Completes with the due time of the first timer created that <paramref name="match"/> accepts.</summary>
    public Task<TimeSpan> TimerAsync(Func<TimeSpan, bool> match)
    {
        lock (_dueTimes)
        {
            foreach (var due in _dueTimes.Where(match))
            {
                return Task.FromResult(due);
            }

            var found = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
            _matchers.Add((match, found));
            return found.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // The timer first, then its record: a test that finds the record moves the clock at once, and a timer made after
        // that move would be due a whole wait later than the test believes, so nothing would ever fire it.
        var timer = base.CreateTimer(callback, state, dueTime, period);
        List<TaskCompletionSource<TimeSpan>> found;
        lock (_dueTimes)
        {
            _dueTimes.Add(dueTime);
            var matched = _matchers.Where(m => m.Match(dueTime)).ToList();
            _matchers.RemoveAll(matched.Contains);
            found = [.. matched.Select(m => m.Found)];
        }

        _first.TrySetResult(dueTime);
        found.ForEach(f => f.TrySetResult(dueTime));
        return timer;
    }
}
