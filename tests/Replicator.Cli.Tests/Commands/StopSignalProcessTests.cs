using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Tests.Support;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>
/// The built CLI as a child process, stopped with a real SIGTERM (what <c>timeout</c>, systemd, Kubernetes and CI
/// runners send): it must end as Ctrl+C ends it, with its report, not be killed mid-run, and exit 143 (128 + SIGTERM's 15), as a
/// shell reports a command SIGTERM ended, not 2, which reads as refused arguments.
/// </summary>
public sealed class StopSignalProcessTests
{
    [UnixFact]
    public async Task SIGTERM_stops_sync_enqueue_which_reports_how_far_it_got_and_exits_143()
    {
        // LocalEcr on a clock that is never advanced: the source's first listing is held, so once the server has armed
        // that hold the CLI is inside its long operation (its signal handlers were registered before its first call),
        // and it stays there until the signal. No sleep, and no race with the child's start-up.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(31), "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromHours(1), 1, CliHarness.Source);
        var environment = new Dictionary<string, string>(ProcessRun.NoSharedAwsFiles(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"))))
        {
            ["AWS_ENDPOINT_URL_ECR"] = h.Server.BaseAddress.ToString(),
            ["AWS_ENDPOINT_URL_SQS"] = sqs.Endpoint.AbsoluteUri,
            ["AWS_ACCESS_KEY_ID"] = CliHarness.AccessKey,
            ["AWS_SECRET_ACCESS_KEY"] = CliHarness.SecretKey,
        };
        string[] arguments =
        [
            BuildOutput.ProjectFile("src", "Replicator.Cli", "replicator.dll"),
            "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West,
            "--enqueue", new Uri(sqs.Endpoint, EnqueueTests.QueuePath).AbsoluteUri,
        ];

        var run = await ProcessRun.RunAsync("dotnet", arguments, RepositoryRoot.Path, environment, ProcessRun.InheritedAwsVariables(), async cli =>
        {
            var held = h.Server.Faults.TimersArmedAsync();
            await Task.WhenAny(held, cli.WaitForExitAsync());
            Assert.True(held.IsCompleted, "the CLI exited before its first listing");
            var kill = await ProcessRun.RunAsync("kill", ["-s", "TERM", cli.Id.ToString(CultureInfo.InvariantCulture)], RepositoryRoot.Path);
            Assert.True(kill.ExitCode == 0, kill.ToString());
        });

        Assert.True(run.ExitCode == 143, run.ToString());
        Assert.Contains("error: cancelled after 0 repositories compared; 0 message(s) queued", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(CliHarness.SecretKey, run.Output + run.Error, StringComparison.Ordinal);
        Assert.Empty(sqs.Requests);
    }
}
