using LocalEcr.Faults;

namespace LocalEcr;

/// <summary>
/// Injected failures for tests, shared by the in-process API and the admin endpoint (/_localecr/...).
/// Rules are consumed in the order they were added; thread safe.
/// </summary>
public sealed class FaultInjector
{
    private readonly Lock _sync = new();
    private readonly List<FailureRule> _failures = [];
    private readonly List<DelayRule> _delays = [];
    private readonly List<DownloadFault> _downloads = [];
    private readonly HashSet<string> _injectedAnswers = new(StringComparer.Ordinal);
    private readonly List<(int Count, TaskCompletionSource Reached)> _timerWaiters = [];
    private int _timersArmed;
    private Action? _expireDownloadUrls;
    private Action? _forgetUploads;

    /// <summary>
    /// Fails the next <paramref name="count"/> calls of <paramref name="operation"/> (in
    /// <paramref name="region"/> only, when given) with HTTP <paramref name="statusCode"/> and the ECR
    /// error body <c>{"__type":errorCode,"message":...}</c>; a null or empty code sends an empty body.
    /// </summary>
    public void FailNext(string operation, int count, string? errorCode, int statusCode = 400, string? region = null, string? message = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        lock (_sync)
        {
            _failures.Add(new FailureRule
            {
                Operation = operation, Region = region, ErrorCode = errorCode, Message = message,
                StatusCode = statusCode, Remaining = count,
            });
        }
    }

    /// <summary>Delays responses of <paramref name="operation"/> (the next <paramref name="count"/>, or all when null).</summary>
    public void DelayResponses(string operation, TimeSpan delay, int? count = null, string? region = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        lock (_sync)
        {
            _delays.Add(new DelayRule { Operation = operation, Delay = delay, Remaining = count, Region = region });
        }
    }

    /// <summary>
    /// The next <paramref name="count"/> blob downloads end after <paramref name="afterBytes"/> body bytes, short of
    /// their Content-Length: the client reads exactly those bytes, then a premature end of the stream. With
    /// <paramref name="reset"/> the connection is reset instead, as a dropped network path would, and the client
    /// loses whatever it had not read yet (how much depends on its scheduling: assert outcomes, not byte counts).
    /// With <paramref name="expireUrls"/>, every URL issued so far expires at that moment (a resume after an outage
    /// longer than the URL's lifetime), so the fault does not depend on when the client asked for its URL.
    /// </summary>
    public void CutDownloadAfter(long afterBytes, string? digest = null, int count = 1, bool expireUrls = false, bool reset = false) =>
        AddDownload(new DownloadFault { Kind = DownloadFaultKind.Cut, AfterBytes = afterBytes, Digest = digest, Remaining = count, ExpireUrls = expireUrls, Reset = reset });

    /// <summary>The next <paramref name="count"/> blob downloads pause for <paramref name="duration"/> after <paramref name="afterBytes"/> bytes.</summary>
    public void StallDownloadAfter(long afterBytes, TimeSpan duration, string? digest = null, int count = 1) =>
        AddDownload(new DownloadFault { Kind = DownloadFaultKind.Stall, AfterBytes = afterBytes, Stall = duration, Digest = digest, Remaining = count });

    /// <summary>
    /// Completes once <paramref name="count"/> fault timers in all (held answers of <see cref="DelayResponses"/>,
    /// download stalls) are armed on the server's clock. A test on a fake clock advances it only after this: a timer
    /// armed after the advance would never fire, and sleeping a while instead is a race with the server.
    /// </summary>
    public Task TimersArmedAsync(int count = 1)
    {
        lock (_sync)
        {
            if (_timersArmed >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Starts a fault's wait on the server's clock and counts it as armed.</summary>
    internal Task HoldAsync(TimeSpan duration, TimeProvider time, CancellationToken cancellationToken)
    {
        var hold = Task.Delay(duration, time, cancellationToken);
        lock (_sync)
        {
            _timersArmed++;
            foreach (var waiter in _timerWaiters.Where(w => w.Count <= _timersArmed).ToList())
            {
                _timerWaiters.Remove(waiter);
                waiter.Reached.SetResult();
            }
        }

        return hold;
    }

    /// <summary>The next <paramref name="count"/> downloads serve the byte at blob offset <paramref name="offset"/> inverted.</summary>
    public void CorruptDownload(long offset = 0, string? digest = null, int count = 1) =>
        AddDownload(new DownloadFault { Kind = DownloadFaultKind.Corrupt, AfterBytes = offset, Digest = digest, Remaining = count });

    /// <summary>Every download URL issued so far answers 403 from now on.</summary>
    public void ExpireDownloadUrls() => _expireDownloadUrls?.Invoke();

    /// <summary>Every upload in progress is forgotten: its next part or completion gets UploadNotFoundException.</summary>
    public void ForgetUploads() => _forgetUploads?.Invoke();

    /// <summary>Removes every pending fault rule.</summary>
    public void Clear()
    {
        lock (_sync)
        {
            _failures.Clear();
            _delays.Clear();
            _downloads.Clear();
        }
    }

    internal void Attach(Action expireDownloadUrls, Action forgetUploads)
    {
        _expireDownloadUrls = expireDownloadUrls;
        _forgetUploads = forgetUploads;
    }

    internal FailureRule? TakeFailure(string operation, string region)
    {
        lock (_sync)
        {
            var rule = _failures.Find(r => r.Operation == operation && (r.Region is null || r.Region == region));
            if (rule is null)
            {
                return null;
            }

            if (--rule.Remaining <= 0)
            {
                _failures.Remove(rule);
            }

            return rule;
        }
    }

    /// <summary>
    /// Notes that the answer with request id <paramref name="requestId"/> (its x-amzn-RequestId) is an injected failure,
    /// before it is sent. The tests check every error code LocalEcr answers against the ECR model; an injected code is
    /// the test's own choice, and this tells the two apart answer by answer. One id per injected answer: bounded by the
    /// counts the tests ask for.
    /// </summary>
    internal void NoteInjectedAnswer(string requestId)
    {
        lock (_sync)
        {
            _injectedAnswers.Add(requestId);
        }
    }

    /// <summary>True when the answer with this x-amzn-RequestId came from a <see cref="FailNext"/> rule, not from LocalEcr's own logic.</summary>
    internal bool IsInjectedAnswer(string requestId)
    {
        lock (_sync)
        {
            return _injectedAnswers.Contains(requestId);
        }
    }

    internal TimeSpan TakeDelay(string operation, string region)
    {
        lock (_sync)
        {
            var rule = _delays.Find(r => r.Operation == operation && (r.Region is null || r.Region == region));
            if (rule is null)
            {
                return TimeSpan.Zero;
            }

            if (rule.Remaining is not null && --rule.Remaining <= 0)
            {
                _delays.Remove(rule);
            }

            return rule.Delay;
        }
    }

    /// <summary>The download faults that apply to one download of <paramref name="digest"/>, consumed.</summary>
    internal List<DownloadFault> TakeDownloadFaults(string digest)
    {
        lock (_sync)
        {
            var taken = new List<DownloadFault>();
            foreach (var kind in Enum.GetValues<DownloadFaultKind>())
            {
                var rule = _downloads.Find(r => r.Kind == kind && (r.Digest is null || r.Digest == digest));
                if (rule is null)
                {
                    continue;
                }

                if (--rule.Remaining <= 0)
                {
                    _downloads.Remove(rule);
                }

                taken.Add(rule);
            }

            return taken;
        }
    }

    private void AddDownload(DownloadFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fault.AfterBytes);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Remaining, 1);
        lock (_sync)
        {
            _downloads.Add(fault);
        }
    }
}
