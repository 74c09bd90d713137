using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
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
            "us-west-2",
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

    /// <summary>
    /// Each retry is reported once, before its wait, with the operation, where the call went, its number, the failed
    /// attempt's error code and the wait (the first throttled wait is 0.55 of the throttling base at random 0.5); the
    /// attempt that succeeds is not reported.
    /// </summary>
    [Fact]
    public async Task Every_retry_is_reported_with_the_operation_target_number_error_code_and_wait()
    {
        var settings = new RetrySettings { MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(1), ThrottlingBaseDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) };
        var reports = new List<EcrRetry>();
        var handler = new RecordingHandler()
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""")
            .Respond(HttpStatusCode.InternalServerError, """{"__type":"ServerException","message":"internal error"}""")
            .RespondOk("""{"imageIds":[]}""");
        var client = new RetryingEcrClient(
            TestClients.Create(handler, region: "us-west-2"), new EcrCallRunner(settings, TimeProvider.System, () => 0.5, reports.Add), "222222222222:us-west-2");

        await client.ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });

        Assert.Equal(3, handler.Requests.Count);
        Assert.Collection(
            reports,
            first =>
            {
                Assert.Equal(("ListImages", "222222222222:us-west-2", 1, "ThrottlingException"), (first.Operation, first.Target, first.Retry, first.ErrorCode));
                Assert.Equal(11.0, first.Delay.TotalMilliseconds, 3);
            },
            second =>
            {
                Assert.Equal(("ListImages", "222222222222:us-west-2", 2, "ServerException"), (second.Operation, second.Target, second.Retry, second.ErrorCode));
                Assert.InRange(second.Delay, TimeSpan.Zero, settings.MaxDelay);
            });
    }
}
