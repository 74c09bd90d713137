namespace Replicator.Core.Resilience;

/// <summary>
/// The engine's one backoff rule, on the injected clock and random source: <see cref="RetryDelays"/> scaled by
/// <see cref="RetrySettings"/>, throttling from the larger base. ECR call retries (<see cref="EcrCallRunner"/>) and
/// presigned-download resumes (<c>Copy.BlobDownload</c>) both wait through it, so a flaky S3 and a flaky ECR are
/// given the same room.
/// </summary>
public sealed class RetryBackoff(RetrySettings settings, TimeProvider time, Func<double> random)
{
    private readonly RetrySettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    private readonly TimeProvider _time = time ?? throw new ArgumentNullException(nameof(time));
    private readonly Func<double> _random = random ?? throw new ArgumentNullException(nameof(random));

    /// <summary>
    /// The clock it waits on. The copy's other timers (a download's stall timeout, the fan-out's grace) run on it
    /// too, so the engine has one clock and a test moves them all with one fake.
    /// </summary>
    public TimeProvider Time => _time;

    /// <param name="attempt">0 before the first retry.</param>
    /// <param name="throttled">The other side asked us to slow down (429, 503 SlowDown, ThrottlingException).</param>
    public TimeSpan Delay(int attempt, bool throttled) =>
        RetryDelays.Compute(attempt, throttled ? _settings.ThrottlingBaseDelay : _settings.BaseDelay, _settings.MaxDelay, _random());

    /// <summary>Waits <see cref="Delay"/> on the injected clock.</summary>
    public Task WaitAsync(int attempt, bool throttled, CancellationToken cancellationToken)
    {
        var delay = Delay(attempt, throttled);
        return delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, _time, cancellationToken);
    }
}
