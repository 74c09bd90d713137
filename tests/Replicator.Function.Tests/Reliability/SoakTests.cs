using Soak;
using Xunit.Abstractions;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// The CI-sized soak (tools/Soak): 120 messages over 20 repositories through the function's batch processing with
/// seeded random faults and SQS redelivery; every message ends replicated (verified), skipped or dead-lettered.
/// The full run (500+) is `dotnet run --project tools/Soak -c Release` (docs/reliability.md).
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(8, 5)]
    [InlineData(21, 2)]
    public async Task Nothing_is_lost_and_every_message_ends_where_its_setup_says(int seed, int maxReceiveCount)
    {
        var settings = new SoakSettings { Messages = 120, Repositories = 20, Seed = seed, MaxReceiveCount = maxReceiveCount };

        var report = await SoakRunner.RunAsync(settings);
        output.WriteLine(report.ToString());

        // Only what holds however the pollers interleave: they take the seeded fault bursts in whatever order they call,
        // so how many messages replicate, and whether a conflict or a deleted source ends as itself or runs out of
        // receives first, varies from run to run. Problems checks every message against its setup (a conflict ends
        // dead-lettered, a deleted source skipped, a plain one verified in every destination, unless its receives ran
        // out first), so each path is still proved wherever it was reached.
        Assert.Equal(0, report.Lost);
        // The report goes into every message: CI prints a failed assertion, not the test's output.
        Assert.True(report.Problems.Count == 0, $"every message ended as its setup says: {report}");
        Assert.Equal(report.Messages, report.Replicated + report.Skipped + report.DeadLetteredTotal);
        Assert.True(report.Replicated > 0, $"messages replicate despite the faults: {report}");
        Assert.True(report.ReportedFailures > 0, $"some faults outlasted the retries, so SQS redelivered: {report}");
        Assert.True(report.FaultsInjected.Values.Sum() > 10, $"faults were injected: {report}");
    }

    /// <summary>
    /// One destination down for a simulated hour: with the template's maxReceiveCount (200) and the function's own
    /// redelivery backoff, every message outlives the outage and replicates to both regions once it ends. The
    /// followers of each group wait behind their failed head, so the queue's clock has to jump to that head (a
    /// queue that counted the followers as visible stopped its clock and the run never ended).
    /// </summary>
    [Fact]
    public async Task An_hour_long_outage_of_one_destination_loses_nothing_and_dead_letters_nothing()
    {
        var settings = new SoakSettings
        {
            Messages = 30, Repositories = 5, Outage = TimeSpan.FromMinutes(60),
            FaultRate = 0, ImmutableConflictRate = 0, DeletedSourceRate = 0, MaxReceiveCount = 200,
        };

        var report = await SoakRunner.RunAsync(settings);
        output.WriteLine(report.ToString());

        Assert.Empty(report.Problems);
        Assert.Equal((0, 30, 0), (report.Lost, report.Replicated, report.DeadLetteredTotal));
        Assert.True(report.SimulatedSeconds >= 3600, $"the run ended at simulated second {report.SimulatedSeconds}, inside the outage");
        Assert.True(report.VisibilityChanges > 0, "failed messages came back on the function's backoff, not the queue's timeout");

        // Once the outage ends, every group's head is back within one capped delay (RETRY_MAX_SECONDS), so the run
        // ends well before a message left at the queue's own visibility timeout (5,400 s) could have come back.
        var latestEnd = 3600 + settings.RetryMaxSeconds + 120;
        Assert.True(report.SimulatedSeconds <= latestEnd, $"the run ended at simulated second {report.SimulatedSeconds}, after {latestEnd}: some message waited out more than the backoff");
    }
}
