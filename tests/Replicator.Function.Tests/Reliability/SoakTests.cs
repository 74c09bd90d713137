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

        Assert.Equal(0, report.Lost);
        Assert.Empty(report.Problems);
        Assert.Equal(report.Messages, report.Replicated + report.Skipped + report.DeadLetteredTotal);
        Assert.True(report.Replicated > 90, "most messages replicate despite the faults");
        Assert.True(report.Skipped > 0, "deleted sources were skipped");
        Assert.True(report.DeadLettered.GetValueOrDefault("ImmutableTagConflict") > 0, "immutable conflicts were dead-lettered");
        Assert.True(report.ReportedFailures > 0, "some faults outlasted the retries, so SQS redelivered");
        Assert.True(report.FaultsInjected.Values.Sum() > 10);
    }
}
