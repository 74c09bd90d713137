using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Resilience;
using Replicator.Testing;

namespace Replicator.Core.Tests.Resilience;

public sealed class EcrCallRunnerTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>With the random source at 0.5 the first wait is 0.55 of the base: 2 s throttled, 100 ms otherwise.</summary>
    [Theory]
    [InlineData("ThrottlingException", HttpStatusCode.BadRequest, 1100)]
    [InlineData("ServerException", HttpStatusCode.InternalServerError, 55)]
    public async Task The_first_wait_starts_from_the_throttling_base_only_after_throttling(string code, HttpStatusCode status, int expectedMs)
    {
        var time = new TimerRecordingTimeProvider(Start);
        var settings = new RetrySettings { BaseDelay = TimeSpan.FromMilliseconds(100), ThrottlingBaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(20) };
        var runner = new EcrCallRunner(settings, time, () => 0.5);
        var tries = 0;

        var run = runner.RunAsync<int, int>(
            "PutImage",
            0,
            (_, _) => ++tries == 1 ? throw new EcrException(code, "try again", status) : Task.FromResult(0),
            CancellationToken.None);

        // The first try failed synchronously, so the wait before the second is already set.
        var wait = Assert.Single(time.DueTimes);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), wait);
        time.Advance(wait);
        await run;
        Assert.Equal(2, tries);
    }
}
