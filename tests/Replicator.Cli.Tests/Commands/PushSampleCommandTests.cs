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

    /// <summary>
    /// The sample is deterministic, so a second push of it meets manifests ECR already holds and answers
    /// ImageAlreadyExistsException (docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html): the same tag
    /// again, or another tag on the same digest (which ECR adds), is a push that succeeds and prints its event.
    /// </summary>
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Pushing_the_same_sample_again_under_the_same_or_another_tag_succeeds_and_prints_the_event(string secondTag)
    {
        await using var h = await CliHarness.StartAsync();
        var image = DemoScenario.SampleImage(DemoScenario.Seed);
        var first = await h.RunAsync("push-sample", "my-app:v1", "--source-region", CliHarness.Source);
        Assert.True(first.ExitCode == 0, first.ToString());

        var again = await h.RunAsync("push-sample", $"my-app:{secondTag}", "--source-region", CliHarness.Source);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.Source, "my-app", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.Source, "my-app", secondTag));
        var batch = JsonSerializer.Deserialize(again.Output, EventJsonContext.Default.SQSEvent)!;
        var events = batch.Records.Select(r => EcrEventParser.Parse(r.Body)).ToList();
        Assert.Equal(image.Manifests.Select(m => m.Digest), events.Select(e => e.Digest));
        Assert.Equal(secondTag, events[^1].Tag);
    }

    /// <summary>
    /// push-sample copies nothing, so SIGNATURE_WAIT_SECONDS, which only a copy uses, is not read: a value a copy would
    /// refuse, in the function's exported environment, leaves the sample to be pushed as it is without it.
    /// </summary>
    [Fact]
    public async Task SIGNATURE_WAIT_SECONDS_is_not_read_and_the_sample_is_pushed_as_without_it()
    {
        await using var h = await CliHarness.StartAsync();
        var image = DemoScenario.SampleImage(DemoScenario.Seed);

        var run = await h.RunWithAsync(h.Environment(("SIGNATURE_WAIT_SECONDS", "abc")), null, "push-sample", "local/app:v7", "--source-region", CliHarness.Source);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(image.Digest, await h.TagDigestAsync(CliHarness.Source, "local/app", "v7"));
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
