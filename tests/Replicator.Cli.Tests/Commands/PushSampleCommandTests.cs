using System.Text.Json;
using Replicator.Cli.Demo;
using Replicator.Cli.Tests.Support;
using Replicator.Function.Events;

namespace Replicator.Cli.Tests.Commands;

public sealed class PushSampleCommandTests
{
    [Fact]
    public async Task The_sample_is_pushed_and_its_push_events_are_printed_as_an_sqs_fifo_event()
    {
        await using var h = await CliHarness.StartAsync();
        var image = DemoScenario.SampleImage(DemoScenario.Seed);

        var run = await h.RunAsync("push-sample", "local/app:v7", "--source-region", CliHarness.Source);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.Source, "local/app", "v7"));
        var batch = JsonSerializer.Deserialize(run.Output, EventJsonContext.Default.SQSEvent)!;
        var events = batch.Records.Select(r => EcrEventParser.Parse(r.Body)).ToList();
        Assert.Equal(image.Manifests.Select(m => m.Digest), events.Select(e => e.Digest));
        Assert.Equal("v7", events[^1].Tag);
        Assert.All(events[..^1], e => Assert.Null(e.Tag));
        Assert.All(events, e => Assert.Equal(("local/app", CliHarness.Source, h.Server.AccountId), (e.RepositoryName, e.Region, e.Account)));
        Assert.All(batch.Records, r => Assert.Equal("local/app", r.Attributes!["MessageGroupId"]));
    }

    [Fact]
    public async Task A_digest_instead_of_a_tag_is_a_usage_error()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("push-sample", "local/app@sha256:" + new string('a', 64), "--source-region", CliHarness.Source);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("REPOSITORY:TAG", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, h.Server.Calls.Total);
    }
}
