using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Resilience;

/// <summary>
/// The rate arithmetic of <see cref="AdaptiveRate"/>, on times given in seconds: botocore's adaptive retry mode
/// (botocore/retries/throttling.py's CubicCalculator, bucket.py's TokenBucket) with the differences its remarks state.
/// </summary>
public sealed class AdaptiveRateTests
{
    private const double Precision = 1e-9;

    [Fact]
    public void Before_any_throttle_requests_are_spaced_at_the_ceiling_and_never_burst()
    {
        var rate = new AdaptiveRate(10, 0);

        var waits = Enumerable.Range(0, 12).Select(_ => rate.Take(0)).ToList();

        Assert.Equal(0, waits[0]);
        Assert.Equal(0.1, waits[1], Precision);
        Assert.Equal(1.1, waits[11], Precision);
        Assert.Equal(0, rate.Take(5));
    }

    [Fact]
    public void Answers_that_are_not_throttling_keep_the_ceiling()
    {
        var rate = new AdaptiveRate(10, 0);

        for (var t = 0.0; t < 30; t += 0.1)
        {
            rate.Answered(t, throttled: false);
        }

        Assert.Equal(10, rate.Rate);
    }

    [Fact]
    public void A_throttle_before_any_measure_cuts_the_current_rate_by_the_cubic_beta()
    {
        var rate = new AdaptiveRate(10, 0);

        rate.Answered(0.1, throttled: true);

        Assert.Equal(7, rate.Rate, Precision);
        Assert.Equal(0, rate.Take(0.1));
        Assert.Equal(1 / 7.0, rate.Take(0.1), Precision);
    }

    [Fact]
    public void A_throttle_cuts_from_the_measured_rate_when_the_caller_sent_slower_than_allowed()
    {
        var rate = new AdaptiveRate(10, 0);

        // Two answers a second for ten seconds: the smoothed measure converges on 2.
        for (var t = 0.0; t < 10; t += 0.5)
        {
            rate.Answered(t, throttled: false);
        }

        rate.Answered(10, throttled: true);

        Assert.InRange(rate.MeasuredRate, 1.99, 2.01);
        Assert.Equal(0.7 * rate.MeasuredRate, rate.Rate, Precision);
    }

    [Fact]
    public void After_a_throttle_successes_climb_back_along_the_cubic_curve_and_stop_at_the_ceiling()
    {
        var rate = new AdaptiveRate(10, 0);
        rate.Answered(0, throttled: true);

        // K = cbrt(10 * (1 - 0.7) / 0.4): the curve regains the rate it was throttled at after K seconds.
        var k = Math.Cbrt(7.5);
        rate.Answered(1, throttled: false);
        var oneSecondLater = rate.Rate;
        rate.Answered(k, throttled: false);

        Assert.Equal((0.4 * Math.Pow(1 - k, 3)) + 10, oneSecondLater, Precision);
        Assert.InRange(oneSecondLater, 7, 10);
        Assert.Equal(10, rate.Rate, Precision);

        rate.Answered(k + 60, throttled: false);
        Assert.Equal(10, rate.Rate);
    }

    [Fact]
    public void Throttles_in_a_row_compound_down_to_the_floor_of_half_a_request_per_second()
    {
        var rate = new AdaptiveRate(10, 0);

        var rates = Enumerable.Range(0, 20).Select(_ =>
        {
            rate.Answered(0.1, throttled: true);
            return rate.Rate;
        }).ToList();

        Assert.Equal(4.9, rates[1], Precision);
        Assert.Equal(0.5, rates[^1]);
        Assert.Equal(2, rate.Take(0.1) + rate.Take(0.1), Precision);
    }

    [Fact]
    public void A_ceiling_below_the_floor_still_wins()
    {
        var rate = new AdaptiveRate(0.2, 0);

        rate.Answered(0, throttled: true);

        Assert.Equal(0.2, rate.Rate);
    }

    [Fact]
    public void A_zero_ceiling_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveRate(0, 0));
}
