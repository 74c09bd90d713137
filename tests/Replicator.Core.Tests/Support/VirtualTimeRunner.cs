using Microsoft.Extensions.Time.Testing;

namespace Replicator.Core.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that runs workers in virtual time: whenever every worker still running waits on a
/// timer of this clock, it moves the clock to the earliest one due. Concurrent callers of rate limiters and retry
/// backoffs then meet as they would over minutes, in no real time and with no wall-clock deadline. Every wait of a
/// worker must be a timer of this clock (a <c>Task.Delay</c> on it); a request timeout (the timer of a
/// <see cref="CancellationTokenSource"/>) is not a wait and is left out.
/// </summary>
internal sealed class VirtualTimeRunner(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Lock _gate = new();
    private readonly HashSet<Pending> _pending = [];
    private readonly List<TimeSpan> _waits = [];
    private int _running;
    private TaskCompletionSource? _allWaiting;

    /// <summary>The due time of every wait, in the order they were asked for.</summary>
    public IReadOnlyList<TimeSpan> Waits
    {
        get
        {
            lock (_gate)
            {
                return [.. _waits];
            }
        }
    }

    /// <summary>Runs the workers to their end, moving the clock only when all of them wait.</summary>
    public async Task RunAsync(IReadOnlyCollection<Func<Task>> workers)
    {
        lock (_gate)
        {
            _running = workers.Count;
        }

        var running = workers.Select(w => Task.Run(async () =>
        {
            try
            {
                await w();
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    SignalIfAllWaiting();
                }
            }
        })).ToList();

        while (true)
        {
            Task allWaiting;
            lock (_gate)
            {
                if (_running == 0)
                {
                    break;
                }

                _allWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                allWaiting = _allWaiting.Task;
                SignalIfAllWaiting();
            }

            // A guard, not a timing: a worker blocked on anything but this clock would otherwise hang the test.
            try
            {
                await allWaiting.WaitAsync(TimeSpan.FromMinutes(2));
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    throw new TimeoutException($"workers neither ended nor waited on this clock: {_running} running, {_pending.Count} waiting, {_waits.Count} waits so far, at {GetUtcNow():O}");
                }
            }
            DateTimeOffset next;
            lock (_gate)
            {
                if (_running == 0)
                {
                    break;
                }

                next = _pending.Min(p => p.Due);
            }

            // Every counted wait is due after now, since its timer was made before it was counted and the clock stands
            // still while anyone runs. Were one due now and unfired, Advance(TimeSpan.Zero) would fire nothing and this
            // loop would spin forever with every worker waiting, past the guard above: fail with the evidence instead.
            var now = GetUtcNow();
            if (next <= now)
            {
                throw new InvalidOperationException($"a wait due at {next:O} did not fire by {now:O}: its timer and this clock disagree");
            }

            Advance(next - now);
        }

        await Task.WhenAll(running);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (state is CancellationTokenSource || dueTime <= TimeSpan.Zero || dueTime == Timeout.InfiniteTimeSpan)
        {
            return base.CreateTimer(callback, state, dueTime, period);
        }

        // The timer is made before the wait is counted. Counted first, the wait could complete the count while its
        // timer did not exist yet: the clock would then move under the timer, which would take its due time from the
        // moved clock, later than the one recorded here, and never fire at the recorded time (a run of CI spun on that
        // for 45 minutes). Uncounted, this worker still counts as running, so the clock stands still until it is.
        var pending = new Pending(GetUtcNow() + dueTime);
        var timer = base.CreateTimer(
            s =>
            {
                Done(pending);
                callback(s);
            },
            state,
            dueTime,
            period);
        lock (_gate)
        {
            if (!pending.Ended)
            {
                _pending.Add(pending);
            }

            _waits.Add(dueTime);
            SignalIfAllWaiting();
        }

        return new TrackedTimer(timer, () => Done(pending));
    }

    private void Done(Pending pending)
    {
        lock (_gate)
        {
            // Marked even when not yet counted, so that it never is: a wait counted after its timer fired would stay
            // counted with nothing left to fire it. (It cannot fire first while its worker counts as running.)
            pending.Ended = true;
            if (_pending.Remove(pending))
            {
                SignalIfAllWaiting();
            }
        }
    }

    // Under _gate.
    private void SignalIfAllWaiting()
    {
        if (_allWaiting is not null && (_running == 0 || (_pending.Count == _running && _pending.Count > 0)))
        {
            _allWaiting.TrySetResult();
            _allWaiting = null;
        }
    }

    private sealed class Pending(DateTimeOffset due)
    {
        public DateTimeOffset Due { get; } = due;

        /// <summary>Fired or disposed; under <c>_gate</c>.</summary>
        public bool Ended { get; set; }
    }

    private sealed class TrackedTimer(ITimer inner, Action disposed) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            disposed();
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            disposed();
            return inner.DisposeAsync();
        }
    }
}
