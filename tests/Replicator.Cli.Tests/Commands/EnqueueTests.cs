using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Cli.Composition;
using Replicator.Cli.Tests.Support;
using Replicator.Core.Ecr.Model;
using Replicator.Function.Enqueue;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>sync --enqueue through the real AWSSDK.SQS client against a loopback SQS endpoint.</summary>
public sealed class EnqueueTests
{
    internal const string QueuePath = "/000000000000/replicator.fifo";

    [Fact]
    public async Task Enqueue_sends_push_events_in_batches_of_ten_grouped_by_repository_and_copies_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        var digests = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            var image = CliHarness.Single((ulong)(100 + i));
            await h.PushAsync(CliHarness.Source, i < 7 ? "alpha" : "beta", image, $"v{i}");
            digests[$"v{i}"] = image.Digest;
        }

        h.Server.Calls.Reset();
        var queueUrl = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queueUrl);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
        var requests = sqs.Requests.ToList();
        Assert.Equal([10, 2], requests.Select(r => r.Body.GetProperty("Entries").GetArrayLength()));
        Assert.All(requests, r =>
        {
            Assert.Equal("AmazonSQS.SendMessageBatch", r.Target);
            Assert.StartsWith("application/x-amz-json-1.0", r.ContentType, StringComparison.Ordinal);
            Assert.True(r.Signed);
            Assert.Equal(queueUrl, r.Body.GetProperty("QueueUrl").GetString());
        });

        var entries = requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()).ToList();
        Assert.Equal(12, entries.Select(e => e.GetProperty("MessageDeduplicationId").GetString()).Distinct().Count());
        foreach (var entry in entries)
        {
            using var body = JsonDocument.Parse(entry.GetProperty("MessageBody").GetString()!);
            var root = body.RootElement;
            var detail = root.GetProperty("detail");
            Assert.Equal("ECR Image Action", root.GetProperty("detail-type").GetString());
            Assert.Equal("aws.ecr", root.GetProperty("source").GetString());
            Assert.Equal(CliHarness.Source, root.GetProperty("region").GetString());
            Assert.Equal("000000000000", root.GetProperty("account").GetString());
            Assert.Equal("PUSH", detail.GetProperty("action-type").GetString());
            Assert.Equal("SUCCESS", detail.GetProperty("result").GetString());
            Assert.Equal(detail.GetProperty("repository-name").GetString(), entry.GetProperty("MessageGroupId").GetString());
            Assert.Equal(digests[detail.GetProperty("image-tag").GetString()!], detail.GetProperty("image-digest").GetString());
        }
    }

    /// <summary>
    /// --since limits the drift enqueued as it limits a direct sync: an image pushed before it that the destination
    /// lacks is left alone, rather than queued for the function to copy.
    /// </summary>
    [Fact]
    public async Task Drift_enqueue_leaves_out_images_pushed_before_since()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(195), "old");
        var since = await h.SinceJustAfterAsync(CliHarness.Source, "app", "old");
        time.Advance(TimeSpan.FromSeconds(1));
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(196), "new");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--since", since, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        Assert.True(run.ExitCode == 0, run.ToString());
        var tags = sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray())
            .Select(e =>
            {
                using var body = JsonDocument.Parse(e.GetProperty("MessageBody").GetString()!);
                return body.RootElement.GetProperty("detail").GetProperty("image-tag").GetString();
            })
            .ToList();
        Assert.Equal(["new"], tags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Every_message_parses_with_the_functions_own_parser_as_the_push_of_that_tag(bool all)
    {
        // What the function accepts is what EcrEventParser accepts (its SQS handler parses each body with it): a
        // message it refused would go to the dead-letter queue after its retries, while the command reported it queued.
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        var image = CliHarness.Single(190);
        await h.PushAsync(CliHarness.Source, "team/app", image, "v1.0_rc-1");
        var queueUrl = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] args = ["sync", "--source-region", CliHarness.Source, "--enqueue", queueUrl];

        var run = await h.RunWithAsync(environment, null, all ? [.. args, "--all"] : [.. args, "--destination-region", CliHarness.West]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var entry = Assert.Single(sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()));
        var action = Replicator.Function.Events.EcrEventParser.Parse(entry.GetProperty("MessageBody").GetString());
        Assert.Equal(("000000000000", CliHarness.Source, "PUSH", "SUCCESS", "team/app", image.Digest, "v1.0_rc-1"), (action.Account, action.Region, action.ActionType, action.Result, action.RepositoryName, action.Digest, action.Tag));
        Assert.Equal("team/app", entry.GetProperty("MessageGroupId").GetString());

        // SQS: a deduplication id is at most 128 characters of alphanumerics and punctuation
        // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatchRequestEntry.html).
        Assert.Matches(@"^[!-~]{1,128}$", entry.GetProperty("MessageDeduplicationId").GetString());
    }

    [Fact]
    public async Task Enqueue_sends_only_the_tags_a_destination_lacks_or_holds_at_another_digest()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        var synced = CliHarness.Single(201);
        var missing = CliHarness.Single(202);
        var moved = CliHarness.Single(203);
        await h.PushAsync(CliHarness.Source, "app", synced, "synced");
        await h.PushAsync(CliHarness.West, "app", synced, "synced");
        await h.PushAsync(CliHarness.Source, "app", missing, "missing");
        await h.PushAsync(CliHarness.Source, "app", moved, "moved");
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(204), "moved");
        h.Server.Calls.Reset();
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        Assert.True(run.ExitCode == 0, run.ToString());
        var sent = sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray())
            .Select(e => JsonDocument.Parse(e.GetProperty("MessageBody").GetString()!).RootElement.GetProperty("detail"))
            .Select(d => (d.GetProperty("image-tag").GetString(), d.GetProperty("image-digest").GetString()))
            .Order()
            .ToList();
        Assert.Equal([("missing", missing.Digest), ("moved", moved.Digest)], sent);
        Assert.Contains("MissingTag: app:missing in us-west-2", run.Output, StringComparison.Ordinal);
        Assert.Contains("DifferentDigest: app:moved in us-west-2", run.Output, StringComparison.Ordinal);
        Assert.Contains("2 message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    /// <summary>
    /// (a+)+b backtracks exponentially on a run of a's without a b, so its match outlasts the option's timeout (the
    /// product's second: the CLI has no other) on that tag on any machine. The direct sync stops there
    /// (ArgumentErrorTests); the reconciler leaves the tag out, names it, and compares the rest.
    /// </summary>
    [Fact]
    public async Task Enqueue_leaves_out_a_tag_the_tag_filter_times_out_on_names_it_and_sends_the_others_drift()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        var tag = new string('a', 64);
        var kept = CliHarness.Single(211);
        await h.PushAsync(CliHarness.Source, "app", kept, "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(212), tag);
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(
            environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--tag-filter", "(a+)+b|v1", "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"skipped app:{tag}: --tag-filter took longer than 1000 ms on tag '{tag}'; simplify the pattern", run.Error, StringComparison.Ordinal);
        var sent = sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray())
            .Select(e => JsonDocument.Parse(e.GetProperty("MessageBody").GetString()!).RootElement.GetProperty("detail"))
            .Select(d => (d.GetProperty("image-tag").GetString(), d.GetProperty("image-digest").GetString()));
        Assert.Equal([("v1", kept.Digest)], sent);
        Assert.Contains("1 message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_needs_the_destinations_to_compare_with_and_all_needs_enqueue()
    {
        await using var h = await CliHarness.StartAsync();

        var noDestination = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--enqueue", "https://sqs.us-east-1.amazonaws.com/000000000000/replicator.fifo");
        var allAlone = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--all");

        // Without a destination too: the flag is the mistake, not the missing --destination-region it would excuse.
        var allWithoutDestination = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--all");

        Assert.Equal(2, noDestination.ExitCode);
        noDestination.AssertOneLineError("at least one --destination-region is required");
        Assert.Equal(2, allAlone.ExitCode);
        allAlone.AssertOneLineError("--all goes with --enqueue");
        Assert.Equal(2, allWithoutDestination.ExitCode);
        allWithoutDestination.AssertOneLineError("--all goes with --enqueue");
    }

    [Fact]
    public async Task An_unexpected_failure_of_a_send_is_one_redacted_error_line_and_exit_2_never_a_stack_trace()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(7), "v1");

        // AWSSDK rethrows an HttpClient timeout as TimeoutException, which no clause names; its message quoting a key
        // stands for any dependency's text that carries one.
        var sender = new ThrowingSender(new TimeoutException("SendMessageBatch timed out after 100 s\nsigned as AKIAIOSFODNN7EXAMPLE"));

        var run = await h.RunWithAsync(h.Environment(), _ => sender, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", $"https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath}");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"TimeoutException: SQS queue https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath} did not answer in time: SendMessageBatch timed out after 100 s");
        Assert.DoesNotContain("AKIAIOSFODNN7EXAMPLE", run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    /// <summary>
    /// AWSSDK.SQS lets a connection failure out as a bare HttpRequestException: the error line names the SQS queue it
    /// could not reach, in both modes; and --all, stopped by it, says how far it got rather than that the function
    /// replicates what was queued.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_queue_that_cannot_be_reached_is_named_as_the_SQS_queue_and_all_says_the_run_stopped(bool all)
    {
        var (run, queue) = await EnqueueAgainstFailingQueueAsync(new HttpRequestException("Connection refused (127.0.0.1:5998)"), all);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"HttpRequestException: SQS queue {queue} could not be reached: Connection refused (127.0.0.1:5998)");
        if (all)
        {
            Assert.DoesNotContain("the function replicates them", run.Output, StringComparison.Ordinal);
            Assert.Contains("0 message(s) queued, 0 refused before the run stopped", run.Output, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("message(s) queued before the queue failed", run.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// AWSSDK gives up on a request past the client's timeout with HttpClient's inner TimeoutException, "The operation
    /// was canceled." (https://github.com/aws/aws-sdk-net/issues/1904): the line names the queue that did not answer,
    /// not a bare cancellation the operator did not ask for, in a run that also reads ECR.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_queue_that_does_not_answer_in_time_is_named_as_the_SQS_queue(bool all)
    {
        var (run, queue) = await EnqueueAgainstFailingQueueAsync(new TimeoutException("The operation was canceled."), all);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"TimeoutException: SQS queue {queue} did not answer in time: The operation was canceled.");
    }

    /// <summary>`sync --enqueue` (drift mode, or --all) of one pushed image, every send to the queue failing with <paramref name="failure"/>.</summary>
    private static async Task<(CliRun Run, string Queue)> EnqueueAgainstFailingQueueAsync(Exception failure, bool all)
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(7), "v1");
        var sender = new ThrowingSender(failure);
        var queue = $"https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath}";
        string[] args = all
            ? ["sync", "--source-region", CliHarness.Source, "--enqueue", queue, "--all"]
            : ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queue];

        return (await h.RunWithAsync(h.Environment(), _ => sender, args), queue);
    }

    /// <summary>
    /// Ctrl+C while entries SQS failed on its side wait to be sent again (SqsMessageSender's resend): those entries come
    /// back marked Cancelled, neither queued nor refused by the queue. The run is cancelled (exit 130, "cancelled after"),
    /// not finished with them counted as refused (exit 1, "the function replicates them"), even when it was the last batch.
    /// (The drift mode sends through the reconciler's DriftSender, which already reads Cancelled.)
    /// </summary>
    [Fact]
    public async Task A_resend_the_operator_cancels_ends_the_run_as_cancelled_not_as_refusals()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(7), "v1");
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(8), "v2");
        using var stop = new CancellationTokenSource();
        var sender = new CancelledResendSender(stop);
        var queue = $"https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath}";
        string[] args = ["sync", "--source-region", CliHarness.Source, "--enqueue", queue, "--all"];

        var run = await h.RunWithCancellableAsync(h.Environment(), _ => sender, stop.Token, args);

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        Assert.Contains("cancelled after 1 message(s) queued, 0 refused", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("replicates them", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Ctrl+C in a batch where SQS refused one entry for good (its sender's fault) and the operator's stop cut the
    /// resend of another short: the refused message is still named on stderr, with SQS's code and reason, and counted
    /// in the cancel line, as a run that finished would name it. Only the cut-short one is neither queued nor refused.
    /// Without the line the operator would not know that an image was never queued, nor which.
    /// </summary>
    [Fact]
    public async Task Ctrl_C_after_SQS_refused_a_message_still_names_the_refused_one()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(7), "v1");
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(8), "v2");
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(9), "v3");
        using var stop = new CancellationTokenSource();
        var sender = new RefusedThenCancelledSender(stop);
        var queue = $"https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath}";

        var run = await h.RunWithCancellableAsync(h.Environment(), _ => sender, stop.Token, "sync", "--source-region", CliHarness.Source, "--enqueue", queue, "--all");

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        var refused = Assert.Single(run.Error.Split('\n'), l => l.Contains("InvalidParameterValue", StringComparison.Ordinal));
        Assert.Equal($"error: PUSH event of {sender.Refused}: InvalidParameterValue: Message group id is too long", refused);
        Assert.Contains("cancelled after 1 message(s) queued, 1 refused", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("replicates them", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_run_has_its_own_deduplication_ids_so_a_run_after_a_fix_is_not_dropped()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(1), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL", sqs.Endpoint.AbsoluteUri));
        var queueUrl = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;

        for (var i = 0; i < 2; i++)
        {
            // --all compares nothing, so the function decides the destinations: --destination-region is optional.
            var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--enqueue", queueUrl, "--all");
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        // SQS drops a message whose deduplication id it saw in the last five minutes: the second run's must differ, or
        // a heal queued again right after a fix would be dropped while the command reports it queued.
        var ids = sqs.Requests.Select(r => r.Body.GetProperty("Entries")[0].GetProperty("MessageDeduplicationId").GetString()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);

        // Marked as sent by sync --all, so the function measures no ReplicationLatency from the command's own time.
        AssertSender("sync", sqs);
    }

    /// <summary>
    /// --all sends as it lists: a repository whose listing fails after another's images were selected ends the run with
    /// its error (exit 2), but what was selected before it is sent first, the part-filled batch included, and counted:
    /// a batch of one message as well.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(1)]
    public async Task All_sends_what_was_selected_before_a_listing_that_fails_midway(int selected)
    {
        // LocalEcr's clock holds aa's listing a minute (inside the 5 minutes of signature skew it accepts), so bb's
        // listing is the next DescribeImages when its failure is armed.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await using var sqs = await FakeSqsServer.StartAsync();
        for (var i = 0; i < selected; i++)
        {
            await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(80 + (ulong)i), $"v{i}");
        }

        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(83), "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), 1, CliHarness.Source);
        var environment = h.Environment(("AWS_ENDPOINT_URL", sqs.Endpoint.AbsoluteUri));

        var running = h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, "--all");
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", region: CliHarness.Source);
        time.Advance(TimeSpan.FromMinutes(1));
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("AccessDeniedException", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{selected} message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
        Assert.Equal(selected, sqs.Requests.Sum(r => r.Body.GetProperty("Entries").GetArrayLength()));
    }

    /// <summary>
    /// --all counts the messages queued before the queue failed wherever the failure comes: in the loop (the first,
    /// full batch) or in the last, part-filled batch sent after the listing ended (which printed only the error).
    /// </summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 10)]
    public async Task All_counts_the_messages_queued_before_a_send_fails_the_last_batch_included(int failingSend, int queued)
    {
        await using var h = await CliHarness.StartAsync();
        for (var i = 0; i < 11; i++)
        {
            await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(90 + (ulong)i), $"v{i}");
        }

        var sender = new FailingSender(failingSend, new TimeoutException("SendMessageBatch timed out after 100 s"));

        var run = await h.RunWithAsync(h.Environment(), _ => sender, "sync", "--source-region", CliHarness.Source, "--enqueue", $"https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath}", "--all");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"TimeoutException: SQS queue https://sqs.{CliHarness.Source}.amazonaws.com{QueuePath} did not answer in time: SendMessageBatch timed out after 100 s", progressPrefix: "sent ");
        Assert.Contains($"{queued} message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
        Assert.Equal(failingSend, sender.Calls);
    }

    /// <summary>
    /// A mistake in the selection is refused before anything is sent, as in the drift run: no line counting zero
    /// messages queued ahead of the error, which read as if the run had started.
    /// </summary>
    [Theory]
    [InlineData("--repository", "ghost", "repository ghost does not exist in us-east-1")]
    [InlineData("--repository", "zz-ghost", "repository zz-ghost does not exist in us-east-1")]
    [InlineData("--repository-filter", "ap", "no repository in us-east-1 matches the selection: nothing to sync")]
    public async Task All_refuses_a_selection_mistake_before_anything_is_sent_or_counted(string option, string value, string expected)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "real", CliHarness.Single(101), "v1");
        string[] real = option == "--repository" ? ["--repository", "real"] : [];

        var run = await h.RunWithAsync(
            h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)), null, ["sync", "--source-region", CliHarness.Source, option, value, .. real, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, "--all"]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError(expected);
        Assert.Equal(string.Empty, run.Output);
        Assert.Empty(sqs.Requests);
    }

    /// <summary>
    /// Ctrl+C during --all, once a full batch was sent and the next two messages were waiting in the batch being filled:
    /// the messages queued are counted in the cancel line (it was a bare "cancelled"), and the unsent ones are not.
    /// </summary>
    [Fact]
    public async Task All_on_Ctrl_C_reports_the_messages_already_queued_and_exits_130()
    {
        // One clock for LocalEcr and the CLI, never advanced: bb's listing is held until the cancel.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await using var sqs = await FakeSqsServer.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(110 + (ulong)i), $"v{i}");
        }

        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(130), "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.Zero, 1, CliHarness.Source);
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromHours(1), 1, CliHarness.Source);
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        using var ctrlC = new CancellationTokenSource();

        var running = h.RunCancellableAsync(environment, time, ctrlC.Token, "sync", "--source-region", CliHarness.Source, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, "--all");
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        run.AssertOneLineError("cancelled after 10 message(s) queued, 0 refused", progressPrefix: "sent ");
        Assert.DoesNotContain("the function replicates them", run.Output, StringComparison.Ordinal);
        Assert.Equal([10], sqs.Requests.Select(r => r.Body.GetProperty("Entries").GetArrayLength()));
    }

    [Fact]
    public async Task A_drift_run_again_after_a_fix_sends_the_heal_with_another_deduplication_id()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(2), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL", sqs.Endpoint.AbsoluteUri));
        var queueUrl = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;

        for (var i = 0; i < 2; i++)
        {
            var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queueUrl, "--repository", "app");
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        var ids = sqs.Requests.Select(r => r.Body.GetProperty("Entries")[0].GetProperty("MessageDeduplicationId").GetString()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task Drift_messages_carry_the_reconcilers_sender_attribute()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(2), "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(3), "v2");

        var run = await EnqueueAsync(h, sqs);

        Assert.True(run.ExitCode == 0, run.ToString());
        AssertSender("reconciler", sqs);
    }

    /// <summary><c>sync --enqueue</c> of the loopback queue, comparing with us-west-2, and <paramref name="extra"/>.</summary>
    private static Task<CliRun> EnqueueAsync(CliHarness h, FakeSqsServer sqs, params string[] extra) =>
        h.RunWithAsync(
            h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri)),
            null,
            ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri, .. extra]);

    private static void AssertSender(string expected, FakeSqsServer sqs)
    {
        var entries = sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()).ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e =>
        {
            var attribute = e.GetProperty("MessageAttributes").GetProperty("ReplicatorSender");
            Assert.Equal("String", attribute.GetProperty("DataType").GetString());
            Assert.Equal(expected, attribute.GetProperty("StringValue").GetString());
        });
    }

    [Fact]
    public async Task All_refuses_a_destination_region_that_would_change_nothing()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(4), "v1");

        var run = await EnqueueAsync(h, sqs, "--all");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--destination-region has no effect with --enqueue --all (the function replicates the events to its own DESTINATION_REGIONS)");
        Assert.Empty(sqs.Requests);
    }

    [Fact]
    public async Task A_named_repository_missing_at_the_source_is_an_error_and_nothing_is_queued()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "real", CliHarness.Single(5), "v1");

        // "real" sorts after "ghost" and "zz-ghost" after "real": either way nothing is sent before the error.
        foreach (var ghost in new[] { "ghost", "zz-ghost" })
        {
            var run = await EnqueueAsync(h, sqs, "--repository", ghost, "--repository", "real");

            Assert.True(run.ExitCode == 2, run.ToString());
            run.AssertOneLineError($"repository {ghost} does not exist in us-east-1");
        }

        Assert.Empty(sqs.Requests);
    }

    [Fact]
    public async Task A_tag_immutable_at_another_digest_in_a_destination_is_not_enqueued_and_the_exit_code_is_1()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(6), "v1");
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(7), "v2");
        await h.Client(CliHarness.West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "app", ImageTagMutability = ImageTagMutability.Immutable });
        await h.PushAsync(CliHarness.West, "app", CliHarness.Single(8), "v1");

        var run = await EnqueueAsync(h, sqs);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("not enqueued: us-west-2 holds app:v1 at sha256:", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
        var sent = Assert.Single(sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()));
        Assert.Contains("\"image-tag\":\"v2\"", sent.GetProperty("MessageBody").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DescribeImages", false, 1, 0, 0)] // in the first repository's listing: not "no repository matches the selection"
    [InlineData("DescribeImages", false, 2, 1, 1)] // in the second's: the first one's drift was queued
    [InlineData("DescribeRepositories", false, 2, 0, 0)] // in the registry's listing, before any repository (the first call reads the queue's account check)
    [InlineData("DescribeImages", true, 1, 0, 0)] // in the check that a --repository named exists
    public async Task Ctrl_C_is_reported_as_cancelled_with_how_far_the_run_got_and_exits_130(string operation, bool named, int heldListing, int compared, int queued)
    {
        // One clock for LocalEcr and the CLI, never advanced: the held listing waits until the cancel, and the
        // reconciler's short deadline for its last send after a cancel never passes while the loopback queue answers.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await CliHarness.StartAsync(time);
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(9), "v1");
        await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(10), "v1");
        if (heldListing > 1)
        {
            h.Server.Faults.DelayResponses(operation, TimeSpan.Zero, heldListing - 1, CliHarness.Source);
        }

        h.Server.Faults.DelayResponses(operation, TimeSpan.FromHours(1), 1, CliHarness.Source);
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        using var ctrlC = new CancellationTokenSource();
        string[] repositories = named ? ["--repository", "aa"] : [];

        var running = h.RunCancellableAsync(environment, time, ctrlC.Token, ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, .. repositories, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri]);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(1));
        await ctrlC.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(run.ExitCode == ExitCodes.Cancelled, run.ToString());
        Assert.Contains($"error: cancelled after {compared} repositories compared; {queued} message(s) queued", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("matches the selection", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("drift found", run.Output, StringComparison.Ordinal);
        Assert.Equal(queued, sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()).Count());
    }

    [Fact]
    public async Task Refused_messages_are_reported_and_the_exit_code_is_non_zero()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "good", CliHarness.Single(1), "v1");
        await h.PushAsync(CliHarness.Source, "bad", CliHarness.Single(2), "v1");
        sqs.RefuseGroups["bad"] = true;
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("InvalidParameterValue", run.Error, StringComparison.Ordinal);

        // Named by image, not by its place in a batch.
        Assert.Contains("PUSH event of bad:v1 (sha256:", run.Error, StringComparison.Ordinal);
        Assert.Contains("1 message(s) queued, 1 refused", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A selected repository that cannot be read is reported and the others are queued, exit code 1 (drift may be left).
    /// With every selected repository failing, the run still names the failures: it is no empty selection, which would
    /// stop it with "no repository matches the selection".
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_selected_repository_that_cannot_be_read_is_reported_the_others_are_queued_and_the_exit_code_is_1(bool anotherReadable)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "aa", CliHarness.Single(11), "v1");
        if (anotherReadable)
        {
            await h.PushAsync(CliHarness.Source, "bb", CliHarness.Single(12), "v1");
        }

        // The first repository's listing is refused (a repository policy): permanent, so not retried.
        h.Server.Faults.FailNext("DescribeImages", 1, "AccessDeniedException", region: CliHarness.Source);
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        var queued = anotherReadable ? 1 : 0;
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("skipped", run.Error, StringComparison.Ordinal);
        Assert.Contains("AccessDeniedException", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("matches the selection", run.Error, StringComparison.Ordinal);
        Assert.Contains($"{queued} message(s) queued, 0 refused", run.Output, StringComparison.Ordinal);
        Assert.Equal(queued, sqs.Requests.SelectMany(r => r.Body.GetProperty("Entries").EnumerateArray()).Count());
    }

    [Fact]
    public async Task A_selection_that_matches_no_repository_is_a_usage_error_as_in_verify()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(13), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        var queue = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;

        var drift = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--repository-filter", "ap", "--enqueue", queue);
        var all = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--repository-filter", "ap", "--enqueue", queue, "--all");

        foreach (var run in new[] { drift, all })
        {
            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.Contains("no repository in us-east-1 matches the selection: nothing to sync", run.Error, StringComparison.Ordinal);
        }

        Assert.Empty(sqs.Requests);
    }

    /// <summary>A dry run changes nothing, and sending messages the function acts on is a change: the two are refused together, before any message is sent.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dry_run_with_enqueue_is_a_usage_error_and_sends_nothing(bool all)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(18), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] mode = all ? ["--all"] : ["--destination-region", CliHarness.West];

        var run = await h.RunWithAsync(environment, null, ["sync", "--source-region", CliHarness.Source, .. mode, "--dry-run", "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--dry-run and --enqueue cannot be combined");
        Assert.Empty(sqs.Requests);
    }

    /// <summary>
    /// --enqueue copies nothing, so --parallel, which bounds the images copied at once, would do nothing: refused before
    /// any read or send, with or without --all, rather than taken silently.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parallel_with_enqueue_is_a_usage_error_and_sends_nothing(bool all)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(19), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] mode = all ? ["--all"] : ["--destination-region", CliHarness.West];
        var callsBefore = h.Server.Calls.Total;

        var run = await h.RunWithAsync(environment, null, ["sync", "--source-region", CliHarness.Source, .. mode, "--parallel", "8", "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--parallel sets how many images are copied at once, and --enqueue copies nothing (the function copies the events it sends): leave --parallel out");
        Assert.Empty(sqs.Requests);
        Assert.Equal(callsBefore, h.Server.Calls.Total);
    }

    /// <summary>
    /// --enqueue copies nothing, so SIGNATURE_WAIT_SECONDS, which only a copy uses, is not read: a value a copy would
    /// refuse, in the function's exported environment, leaves the events to be sent as they are without it.
    /// </summary>
    [Fact]
    public async Task Enqueue_does_not_read_SIGNATURE_WAIT_SECONDS_and_sends_as_without_it()
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(197), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri), ("SIGNATURE_WAIT_SECONDS", "abc"));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", new Uri(sqs.Endpoint, QueuePath).AbsoluteUri);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(1, Assert.Single(sqs.Requests).Body.GetProperty("Entries").GetArrayLength());
        Assert.Equal(0, h.WritesTo(CliHarness.West));
    }

    [Fact]
    public async Task A_queue_url_that_is_not_a_url_is_a_usage_error()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", "not a url");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--enqueue 'not a url' is not a queue URL");
    }

    [Fact]
    public async Task A_malformed_queue_endpoint_is_a_usage_error_naming_its_variable()
    {
        await using var h = await CliHarness.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(14), "v1");

        var run = await h.RunWithAsync(h.Environment(("AWS_ENDPOINT_URL_SQS", "not a url")), null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", "https://sqs.us-east-1.amazonaws.com/000000000000/replicator.fifo");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("AWS_ENDPOINT_URL_SQS must be an absolute http or https URL");
    }

    /// <summary>The queue's region is read from the URL's host in each form SQS has: regional, legacy, and behind an interface endpoint.</summary>
    [Theory]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/000000000000/replicator.fifo")]
    [InlineData("https://eu-west-1.queue.amazonaws.com/000000000000/replicator.fifo")]
    [InlineData("https://vpce-0123456789abcdef0-abcdefgh.sqs.eu-west-1.vpce.amazonaws.com/000000000000/replicator.fifo")]
    public async Task A_queue_of_another_region_than_the_source_is_a_usage_error_before_anything_is_sent(string queueUrl)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(15), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queueUrl);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("--enqueue names a queue in eu-west-1, whose function replicates only images pushed in eu-west-1, not in --source-region us-east-1");
        Assert.Empty(sqs.Requests);
    }

    /// <summary>
    /// The function refuses an event of another account than its queue's (RecordDecision.RequireOwnSource), so a queue of
    /// another account than the source registry's would dead-letter every message: refused after one DescribeRepositories,
    /// before any listing or send, with --all as without. A queue URL whose path names no account (a local endpoint's
    /// own form) is not checked.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_queue_of_another_account_than_the_source_registry_is_a_usage_error_before_anything_is_listed_or_sent(bool all)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "app", CliHarness.Single(16), "v1");
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        string[] destinations = all ? ["--all"] : ["--destination-region", CliHarness.West];
        var calls = h.Server.Calls.Total;

        var run = await h.RunWithAsync(environment, null, ["sync", "--source-region", CliHarness.Source, .. destinations, "--enqueue", new Uri(sqs.Endpoint, "/123456789012/replicator.fifo").AbsoluteUri]);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--enqueue names a queue of account 123456789012, whose function replicates only the images of account 123456789012, not of the source registry's account {h.Server.AccountId}: give the queue of the stack in account {h.Server.AccountId}");
        Assert.Empty(sqs.Requests);
        Assert.Equal(1, h.Server.Calls.Total - calls);
    }

    [Theory]
    [InlineData("https://sqs.us-east-1.amazonaws.com/123456789012/replicator.fifo", "123456789012")]
    [InlineData("https://vpce-0123456789abcdef0-abcdefgh.sqs.us-east-1.vpce.amazonaws.com/123456789012/replicator.fifo", "123456789012")]
    [InlineData("http://127.0.0.1:4566/000000000000/replicator.fifo", "000000000000")]
    [InlineData("http://127.0.0.1:4566/queue/replicator.fifo", null)]
    [InlineData("https://sqs.us-east-1.amazonaws.com/12345/replicator.fifo", null)]
    [InlineData("https://sqs.us-east-1.amazonaws.com/replicator.fifo", null)]
    public void The_account_of_a_queue_is_the_first_segment_of_its_path_when_it_is_12_digits(string queueUrl, string? account)
    {
        Assert.Equal(account, SqsQueueUrl.AccountOf(new Uri(queueUrl)));
    }

    /// <summary>A FIFO queue's name ends in .fifo: a URL with .fifo elsewhere in its path (a trailing slash, a longer name) is refused as not FIFO.</summary>
    [Theory]
    [InlineData("https://sqs.us-east-1.amazonaws.com/000000000000/replicator.fifo/")]
    [InlineData("https://sqs.us-east-1.amazonaws.com/000000000000/replicator.fifo-standard")]
    public async Task A_queue_url_with_fifo_only_inside_its_path_is_a_usage_error(string queueUrl)
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queueUrl);

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("is not a FIFO queue");
        Assert.Equal(0, h.Server.Calls.Total);
    }

    [Fact]
    public async Task A_standard_queue_is_a_usage_error()
    {
        await using var h = await CliHarness.StartAsync();

        var run = await h.RunAsync("sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", "https://sqs.us-east-1.amazonaws.com/000000000000/replicator");

        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError("is not a FIFO queue");
    }

    /// <summary>
    /// SQS names a queue that does not exist <c>QueueDoesNotExist</c> in its JSON protocol and
    /// <c>AWS.SimpleQueueService.NonExistentQueue</c> in its query protocol (and query-compatible answers): either one is
    /// the URL given that is wrong, said with where the stack's own comes from (the two codes SyncCommand's
    /// NamingTheQueue reads). Before this case, only the first was tried.
    /// </summary>
    [Theory]
    [InlineData("QueueDoesNotExist")]
    [InlineData("AWS.SimpleQueueService.NonExistentQueue")]
    public async Task A_queue_the_service_refuses_is_one_error_line_with_its_code_and_stops_the_sync_at_the_first_batch(string code)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        for (var i = 0; i < 12; i++)
        {
            await h.PushAsync(CliHarness.Source, i < 7 ? "alpha" : "beta", CliHarness.Single((ulong)(300 + i)), $"v{i}");
        }

        sqs.FailWith = System.Net.HttpStatusCode.BadRequest;
        sqs.FailCode = code;
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));

        var queue = new Uri(sqs.Endpoint, "/000000000000/nosuch.fifo").AbsoluteUri;
        var run = await h.RunWithAsync(environment, null, "sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queue);

        // The first full batch fails: the sync stops there, never sends more than ten at once, and blames no repository.
        // The error names the URL given and where the stack's own comes from.
        Assert.Equal(2, run.ExitCode);
        run.AssertOneLineError($"--enqueue {queue}: {code}: refused");
        run.AssertOneLineError("ReplicationQueueUrl output");
        Assert.Equal([10], sqs.Requests.Select(r => r.Body.GetProperty("Entries").GetArrayLength()));
    }

    /// <summary>
    /// A queue that denies the send (the operator's credentials lack sqs:SendMessage, or the queue's KMS key refuses
    /// them) stops the run with exit 2 and one error line led by SQS's error code, as the AWS CLI shows it
    /// ("An error occurred (AccessDenied)"), not by the SDK's exception type, which says nothing of the cause. In --all
    /// the count of what was queued before it comes first.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_queue_that_denies_the_send_is_one_error_line_led_by_the_SQS_error_code(bool all)
    {
        await using var h = await CliHarness.StartAsync();
        await using var sqs = await FakeSqsServer.StartAsync();
        await h.PushAsync(CliHarness.Source, "alpha", CliHarness.Single(7), "v1");
        sqs.FailWith = System.Net.HttpStatusCode.BadRequest;
        sqs.FailCode = "AccessDenied";
        var environment = h.Environment(("AWS_ENDPOINT_URL_SQS", sqs.Endpoint.AbsoluteUri));
        var queue = new Uri(sqs.Endpoint, QueuePath).AbsoluteUri;
        string[] args = all
            ? ["sync", "--source-region", CliHarness.Source, "--enqueue", queue, "--all"]
            : ["sync", "--source-region", CliHarness.Source, "--destination-region", CliHarness.West, "--enqueue", queue];

        var run = await h.RunWithAsync(environment, null, args);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.EndsWith("error: AccessDenied: refused\n", run.Error, StringComparison.Ordinal);
        Assert.Single(sqs.Requests);
        Assert.Contains(all ? "0 message(s) queued, 0 refused before the run stopped" : "0 message(s) queued before the queue failed", run.Output, StringComparison.Ordinal);
    }

    /// <summary>Accepts every message of each call before the <paramref name="failing"/>th, which throws <paramref name="failure"/>.</summary>
    private sealed class FailingSender(int failing, Exception failure) : IMessageSender
    {
        public int Calls { get; private set; }

        public Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken) =>
            ++Calls == failing ? Task.FromException<IReadOnlyList<MessageRefusal>>(failure) : Task.FromResult<IReadOnlyList<MessageRefusal>>([]);
    }

    /// <summary>
    /// SQS takes the first entry of a batch and fails the rest on its side; the operator cancels during the pause before
    /// the resend, so they come back as SqsMessageSender returns them then: Cancelled.
    /// </summary>
    private sealed class CancelledResendSender(CancellationTokenSource stop) : IMessageSender
    {
        public async Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            await stop.CancelAsync();
            return [.. Enumerable.Range(1, messages.Count - 1).Select(i => new MessageRefusal(i, nameof(TaskCanceledException), "sent again after SQS failed it, and the resend failed: A task was canceled.") { Cancelled = true })];
        }
    }

    /// <summary>
    /// SQS takes the first entry of a batch, refuses the second for good (a sender's fault) and fails the rest on its
    /// side; the operator cancels during the pause before their resend, so they come back Cancelled.
    /// </summary>
    private sealed class RefusedThenCancelledSender(CancellationTokenSource stop) : IMessageSender
    {
        /// <summary>The refused message's image, as the run names it: repository:tag (digest).</summary>
        public string? Refused { get; private set; }

        public async Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
        {
            using var body = JsonDocument.Parse(messages[1].Body);
            var detail = body.RootElement.GetProperty("detail");
            Refused = $"{detail.GetProperty("repository-name").GetString()}:{detail.GetProperty("image-tag").GetString()} ({detail.GetProperty("image-digest").GetString()})";
            await stop.CancelAsync();
            return
            [
                new MessageRefusal(1, "InvalidParameterValue", "Message group id is too long"),
                .. Enumerable.Range(2, messages.Count - 2).Select(i => new MessageRefusal(i, nameof(TaskCanceledException), "sent again after SQS failed it, and the resend failed: A task was canceled.") { Cancelled = true }),
            ];
        }
    }

    private sealed class ThrowingSender(Exception failure) : IMessageSender
    {
        public Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken) =>
            Task.FromException<IReadOnlyList<MessageRefusal>>(failure);
    }
}
