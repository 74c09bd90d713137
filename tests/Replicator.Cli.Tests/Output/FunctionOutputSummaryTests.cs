using Replicator.Cli.Output;

namespace Replicator.Cli.Tests.Output;

public sealed class FunctionOutputSummaryTests
{
    [Fact]
    public void Log_lines_become_short_lines_and_metric_lines_are_counted()
    {
        string[] lines =
        [
            """{"timestamp":"2026-11-28T05:00:00Z","level":"INFO","message":"Replicated","destinationRegion":"us-west-2","outcome":"Replicated","bytes":123}""",
            """{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"DestinationRegion":"us-west-2","BytesCopied":123}""",
            "plain text line",
            "",
        ];

        var shown = FunctionOutputSummary.Summarise(lines, out var metrics);

        Assert.Equal(1, metrics);
        Assert.Equal(["info  Replicated (destinationRegion=us-west-2 outcome=Replicated bytes=123)", "plain text line"], shown);
    }
}
