using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// <c>sync --enqueue --all</c> writes its progress (a line per batch sent) on stderr and its result (the closing count)
/// on stdout, as every command keeps diagnostics and progress off stdout. Before, each batch's "sent N message(s)"
/// line was on stdout, ahead of the result a script reads.
/// </summary>
public sealed class EnqueueAllStreamsTests
{
    [Fact]
    public async Task The_line_per_batch_is_on_stderr_and_stdout_holds_the_result_alone()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(501), "v1");
        var queueUrl = new Uri(sqs.Endpoint, EnqueueTests.QueuePath).AbsoluteUri;

        var run = await h.RunWithAsync(
            h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)),
            null,
            "sync",
            "--source-region",
            CliHarness.Source,
            "--enqueue",
            queueUrl,
            "--all");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain("sent 1 message(s)", run.Output, StringComparison.Ordinal);
        Assert.Contains("sent 1 message(s), 0 refused", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("1 message(s) queued, 0 refused; the function replicates them to its configured destinations\n", run.Output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }
}
