using Replicator.Core.Resilience;

namespace Replicator.Core.Tests.Resilience;

public sealed class RequestPacerTests
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;

    [Fact]
    public void Ten_per_second_spaces_a_burst_by_a_tenth_of_a_second()
    {
        var pacer = new RequestPacer(10, TimeProvider.System);

        var waits = Enumerable.Range(0, 12).Select(_ => pacer.Reserve(Start)).ToList();

        Assert.Equal(TimeSpan.Zero, waits[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(100), waits[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(1100), waits[11]);
    }

    [Fact]
    public void Calls_spread_out_in_time_do_not_wait()
    {
        var pacer = new RequestPacer(10, TimeProvider.System);

        Assert.Equal(TimeSpan.Zero, pacer.Reserve(Start));
        Assert.Equal(TimeSpan.Zero, pacer.Reserve(Start + TimeSpan.FromMilliseconds(150).Ticks));
        Assert.Equal(TimeSpan.FromMilliseconds(50), pacer.Reserve(Start + TimeSpan.FromMilliseconds(200).Ticks));
    }

    [Fact]
    public void A_zero_rate_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new RequestPacer(0, TimeProvider.System));
}
