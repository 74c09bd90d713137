using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Resilience;

public sealed class RetryDelaysTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(3, 800)]
    [InlineData(10, 5000)]
    [InlineData(int.MaxValue, 5000)]
    public void The_ceiling_doubles_per_attempt_up_to_the_cap(int attempt, double ceilingMs)
    {
        var highest = RetryDelays.Compute(attempt, Base, Cap, 0.999999);
        var lowest = RetryDelays.Compute(attempt, Base, Cap, 0);

        Assert.InRange(highest.TotalMilliseconds, ceilingMs * 0.99, ceilingMs);
        Assert.Equal(ceilingMs * 0.1, lowest.TotalMilliseconds, precision: 6);
    }

    [Fact]
    public void Jitter_spreads_delays_between_a_tenth_and_the_ceiling()
    {
        var delays = Enumerable.Range(0, 10).Select(i => RetryDelays.Compute(2, Base, Cap, i / 10.0).TotalMilliseconds).ToList();

        Assert.Equal(delays.Order().ToList(), delays);
        Assert.Equal(10, delays.Distinct().Count());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void A_random_value_outside_the_unit_interval_is_refused(double random) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDelays.Compute(0, Base, Cap, random));
}
