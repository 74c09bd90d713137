using Microsoft.Extensions.Time.Testing;
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
    public async Task A_wall_clock_stepped_back_does_not_make_the_next_caller_wait()
    {
        var clock = new SteppedBackClock();
        var pacer = new RequestPacer(1, clock);
        await pacer.WaitAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));

        // NTP steps the wall clock back 10 s; monotonic time goes on.
        clock.WallClockOffset = TimeSpan.FromSeconds(-10);
        var next = pacer.WaitAsync(CancellationToken.None);

        Assert.True(next.IsCompletedSuccessfully);
        await next;
    }

    [Fact]
    public void A_zero_rate_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new RequestPacer(0, TimeProvider.System));

    /// <summary>A fake clock whose wall time can jump back while its timestamps keep advancing (FakeTimeProvider cannot go back).</summary>
    private sealed class SteppedBackClock : FakeTimeProvider
    {
        public TimeSpan WallClockOffset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + WallClockOffset;

        // FakeTimeProvider derives its timestamps from the (virtual) UtcNow: keep them on the unshifted time.
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => base.GetUtcNow().UtcTicks;
    }
}
