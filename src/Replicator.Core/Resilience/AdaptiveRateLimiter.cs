using Replicator.Core.Ecr;

namespace Replicator.Core.Resilience;

/// <summary>
/// Runs each attempt of one operation against one quota (PutImage of one registry and region) through an
/// <see cref="AdaptiveRate"/> on the injected clock: the attempt waits for its token, and its answer, throttling
/// (<see cref="EcrException.IsThrottling"/>, the classifier's verdict) or not, adjusts the rate. It sits inside the
/// retry policy (<see cref="RetryingEcrClient"/>), so retries take tokens and report their answers too.
/// </summary>
public sealed class AdaptiveRateLimiter
{
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly AdaptiveRate _rate;
    private readonly Lock _gate = new();

    public AdaptiveRateLimiter(double ceiling, TimeProvider time)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));

        // On the monotonic timestamp, as RequestPacer: a wall clock stepped back would stall every caller.
        _origin = time.GetTimestamp();
        _rate = new AdaptiveRate(ceiling, 0);
    }

    /// <summary>Requests per second allowed now.</summary>
    public double Rate
    {
        get
        {
            lock (_gate)
            {
                return _rate.Rate;
            }
        }
    }

    /// <summary>Waits for a token, runs one attempt and records its answer; <paramref name="state"/> keeps the callback free of closures.</summary>
    public async Task<TResult> RunAsync<TState, TResult>(TState state, Func<TState, CancellationToken, Task<TResult>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        double wait;
        lock (_gate)
        {
            wait = _rate.Take(Now());
        }

        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(wait), _time, cancellationToken);
        }

        TResult result;
        try
        {
            result = await attempt(state, cancellationToken);
        }
        catch (EcrException e)
        {
            // botocore counts every answer that is not throttling as a success (ClientRateLimiter.on_receiving_response).
            Answered(e.IsThrottling);
            throw;
        }

        Answered(throttled: false);
        return result;
    }

    private void Answered(bool throttled)
    {
        lock (_gate)
        {
            _rate.Answered(Now(), throttled);
        }
    }

    private double Now() => _time.GetElapsedTime(_origin).TotalSeconds;
}
