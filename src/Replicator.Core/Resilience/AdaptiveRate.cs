namespace Replicator.Core.Resilience;

/// <summary>
/// The arithmetic of client-side adaptive rate limiting, on times (in seconds, monotonic) the caller gives: no clock,
/// no lock, no I/O. The model is the AWS SDKs' "adaptive" retry mode
/// (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html; botocore/retries/adaptive.py,
/// bucket.py and throttling.py): each request waits for a token of a bucket filled at <see cref="Rate"/>; a throttling
/// answer cuts the rate to 0.7 of the rate measured when it came, and every other answer raises it again along CUBIC's
/// curve (RFC 9438), which regains the rate of the last throttle after K seconds and probes above it afterwards. Several
/// processes that share one quota but nothing else each cut their own rate when throttled, so their sum settles near
/// the quota, where a fixed rate per process multiplies it by their number.
/// </summary>
/// <remarks>
/// Where this differs from botocore, and why: limiting is on from the first request, at <c>ceiling</c> (botocore sends
/// unlimited until its first throttle; the ceiling here is the quota itself, and faster can only be throttled); the
/// rate never rises above the ceiling (botocore caps it at twice the measured rate); the bucket holds one token, so
/// requests are spaced evenly and never sent in a burst (botocore's holds a second's worth); and a throttle that comes
/// before any rate was measured cuts from the current rate (botocore cuts from a measured 0, to its floor).
/// </remarks>
public sealed class AdaptiveRate
{
    // botocore's constants: CubicCalculator._BETA and _SCALE_CONSTANT, TokenBucket._MIN_RATE,
    // RateClocker._DEFAULT_SMOOTHING and _TIME_BUCKET_RANGE.
    private const double Beta = 0.7;
    private const double Scale = 0.4;
    private const double MinRate = 0.5;
    private const double Smoothing = 0.8;
    private const double MeasureWindow = 0.5;

    private readonly double _ceiling;
    private double _nextSlot = double.NegativeInfinity;
    private bool _throttled;
    private double _rateAtThrottle;
    private double _recoverySeconds;
    private double _lastThrottle;
    private double _windowStart;
    private int _answersInWindow;

    /// <param name="ceiling">Requests per second never exceeded (the quota of one caller).</param>
    /// <param name="now">The current time, in seconds.</param>
    public AdaptiveRate(double ceiling, double now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ceiling);
        _ceiling = ceiling;
        Rate = ceiling;
        _windowStart = WindowOf(now);
    }

    /// <summary>Requests per second allowed now.</summary>
    public double Rate { get; private set; }

    /// <summary>Answers per second, smoothed over half-second windows (botocore's RateClocker).</summary>
    public double MeasuredRate { get; private set; }

    /// <summary>Takes the next token; returns how many seconds to wait for it (0 when it is free now).</summary>
    public double Take(double now)
    {
        var slot = Math.Max(now, _nextSlot);
        _nextSlot = slot + (1 / Rate);
        return slot - now;
    }

    /// <summary>Records an answer: a throttling one cuts <see cref="Rate"/>, any other raises it towards the ceiling.</summary>
    public void Answered(double now, bool throttled)
    {
        var measured = Measure(now);
        if (throttled)
        {
            var from = measured > 0 ? Math.Min(measured, Rate) : Rate;
            _throttled = true;
            _rateAtThrottle = from;
            _lastThrottle = now;

            // K of CUBIC: the time the curve takes to climb from Beta * from back to from.
            _recoverySeconds = Math.Cbrt(from * (1 - Beta) / Scale);
            SetRate(from * Beta);
        }
        else if (_throttled)
        {
            var t = now - _lastThrottle - _recoverySeconds;
            SetRate((Scale * t * t * t) + _rateAtThrottle);
        }
    }

    private void SetRate(double rate) => Rate = Math.Min(Math.Max(rate, MinRate), _ceiling);

    private double Measure(double now)
    {
        _answersInWindow++;
        var window = WindowOf(now);
        if (window > _windowStart)
        {
            var current = _answersInWindow / (window - _windowStart);
            MeasuredRate = (current * Smoothing) + (MeasuredRate * (1 - Smoothing));
            _answersInWindow = 0;
            _windowStart = window;
        }

        return MeasuredRate;
    }

    private static double WindowOf(double now) => Math.Floor(now / MeasureWindow) * MeasureWindow;
}
