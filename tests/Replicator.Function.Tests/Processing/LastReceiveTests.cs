using Replicator.Core.Replication;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Processing;

/// <summary>
/// MAX_RECEIVE_COUNT: on the last receive SQS grants a message, a record that still fails transiently, or did not run,
/// goes to the dead-letter queue with its reason (SQS's own move would carry none) and is acknowledged.
/// </summary>
public sealed class LastReceiveTests
{
    private const int Max = 200;
    private static SQSMessage Record(string id, string tag, int receives, string group = "g1") => E.Received(id, tag, group, receives);

    private static (Harness Harness, BatchProcessor Processor, RecordingMessageVisibility Visibility) Rig(int? maxReceiveCount = Max)
    {
        var harness = new Harness();
        var visibility = new RecordingMessageVisibility();
        return (harness, harness.ProcessorWithRedelivery(visibility, new BatchProcessorOptions { MaxReceiveCount = maxReceiveCount }), visibility);
    }

    private static void ThrottleTag(Harness harness, string tag) =>
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == tag
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true, message: "Rate exceeded")
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));

    [Fact]
    public async Task A_transient_failure_on_the_last_receive_is_dead_lettered_with_its_reason_and_acknowledged()
    {
        var (harness, processor, visibility) = Rig();
        ThrottleTag(harness, "v1");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max)), harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal(("1", "g1", BatchProcessor.ReceivesExhaustedErrorType), (sent.DeduplicationId, sent.MessageGroupId, sent.ErrorType));
        Assert.Equal(
            "receive 200 of at most 200 (MAX_RECEIVE_COUNT) and its last attempt failed transiently: ThrottlingException: "
            + "us-west-2: ThrottlingException: Rate exceeded; 111111111111:eu-west-1: ThrottlingException: Rate exceeded",
            sent.Reason);
        Assert.Equal(E.Body(tag: "v1"), sent.Body);
        Assert.Empty(visibility.Changes);
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "DeadLettered" && l.GetProperty("messageId").GetString() == "1");
    }

    /// <summary>
    /// The bootstrap cancels the invocation's token at the deadline, the likeliest cause of a last-receive failure (an
    /// image too large for one invocation): the dead-letter send has its own time limit, or it would never be made.
    /// </summary>
    [Fact]
    public async Task A_record_cut_off_by_the_deadline_on_its_last_receive_still_reaches_the_dead_letter_queue()
    {
        var (harness, processor, _) = Rig();
        using var deadline = new CancellationTokenSource();
        harness.Replicator.OnReplicate = async (r, token) =>
        {
            await deadline.CancelAsync();
            return FakeReplicator.Result(r, ReplicationOutcome.Failed, "OperationCanceled", transient: true, message: "the invocation's deadline");
        };

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max), Record("2", "v2", Max)), harness.Context(), deadline.Token);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["1", "2"], harness.DeadLetter.Sent.Select(m => m.DeduplicationId));
        Assert.All(harness.DeadLetter.Sent, m => Assert.Equal(BatchProcessor.ReceivesExhaustedErrorType, m.ErrorType));
    }

    /// <summary>
    /// A function timeout shorter than the bookkeeping after the copies runs nothing, batch after batch: the batch says
    /// so once as an error, and the last receive's dead-letter reason names the cause instead of a plain "deadline".
    /// </summary>
    [Fact]
    public async Task An_invocation_too_short_for_any_copy_says_so_and_the_dead_letter_reason_names_the_timeout()
    {
        var (harness, processor, _) = Rig();
        var options = new BatchProcessorOptions();
        var tooShort = options.ShortestUsefulInvocation - TimeSpan.FromSeconds(1);

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max), Record("2", "v2", Max)), harness.Context(tooShort), CancellationToken.None);

        Assert.Empty(harness.Replicator.Calls);
        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["1", "2"], harness.DeadLetter.Sent.Select(m => m.DeduplicationId));
        Assert.All(harness.DeadLetter.Sent, m => Assert.Contains($"the invocation had {tooShort.TotalSeconds:0.#} s, less than the {options.ShortestUsefulInvocation.TotalSeconds:0.#} s a copy and the bookkeeping after it need; raise the function's Timeout", m.Reason, StringComparison.Ordinal));
        var error = Assert.Single(harness.LogLines, l => l.GetProperty("level").GetString() == "ERROR");
        Assert.Contains("Raise the function's Timeout", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_shortest_useful_invocation_runs_its_record_without_the_timeout_error()
    {
        var (harness, processor, _) = Rig();

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", 1)), harness.Context(new BatchProcessorOptions().ShortestUsefulInvocation), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Single(harness.Replicator.Calls);
        Assert.DoesNotContain(harness.LogLines, l => l.GetProperty("level").GetString() == "ERROR");
    }

    [Fact]
    public async Task A_last_receive_reason_still_names_every_failed_destination_when_the_messages_are_long()
    {
        var (harness, processor, _) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, null,
        [
            .. harness.Config.Destinations.Select(d => new DestinationResult(d, ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ServerException", new string('x', 900), Transient: true)),
        ]));

        await processor.ProcessAsync(E.Batch(Record("1", "v1", Max)), harness.Context(), CancellationToken.None);

        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.True(sent.Reason.Length <= 1024, $"length {sent.Reason.Length}");
        Assert.StartsWith("receive 200 of at most 200", sent.Reason, StringComparison.Ordinal);
        Assert.All(harness.Config.Destinations, d => Assert.Contains($"{d}: ServerException", sent.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_transient_failure_before_the_last_receive_is_delayed_and_reported()
    {
        var (harness, processor, visibility) = Rig();
        ThrottleTag(harness, "v1");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max - 1)), harness.Context(), CancellationToken.None);

        Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Empty(harness.DeadLetter.Sent);
        var change = Assert.Single(visibility.Changes);
        Assert.Equal(("rh-1", 450), (change.ReceiptHandle, change.Seconds));
    }

    /// <summary>
    /// A permanent failure beside a transient one is retried (the transient destination may still get the image), so on
    /// the last receive it goes the transient way: dead-lettered with every failed destination, the permanent one first.
    /// </summary>
    [Theory]
    [InlineData(Max - 1)]
    [InlineData(Max)]
    public async Task A_permanent_failure_beside_a_transient_one_is_retried_until_the_last_receive_names_both(int receives)
    {
        var (harness, processor, visibility) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, E.Digest,
        [
            new DestinationResult(r.Destinations[0], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ThrottlingException", "Rate exceeded", Transient: true),
            new DestinationResult(r.Destinations[1], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ImmutableTagConflict", "tag 'v1' names another digest"),
        ]));

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", receives)), harness.Context(), CancellationToken.None);

        if (receives < Max)
        {
            Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
            Assert.Empty(harness.DeadLetter.Sent);
            Assert.Single(visibility.Changes);
            return;
        }

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal(BatchProcessor.ReceivesExhaustedErrorType, sent.ErrorType);
        Assert.Equal(
            "receive 200 of at most 200 (MAX_RECEIVE_COUNT) and its last attempt failed transiently: ThrottlingException: "
            + "111111111111:eu-west-1: ImmutableTagConflict: tag 'v1' names another digest; us-west-2: ThrottlingException: Rate exceeded",
            sent.Reason);
    }

    [Fact]
    public async Task A_follower_that_did_not_run_on_its_last_receive_is_dead_lettered_naming_the_failed_message()
    {
        // The head is on an earlier receive (it keeps its place and its backoff); the follower would be moved by SQS.
        var (harness, processor, visibility) = Rig();
        ThrottleTag(harness, "head");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "head", Max - 1), Record("2", "follower", Max)), harness.Context(), CancellationToken.None);

        Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal(("2", BatchProcessor.ReceivesExhaustedErrorType), (sent.DeduplicationId, sent.ErrorType));
        Assert.StartsWith(
            "receive 200 of at most 200 (MAX_RECEIVE_COUNT) and it did not run because an earlier message of its group, 1, failed: ThrottlingException: us-west-2: ThrottlingException: Rate exceeded",
            sent.Reason,
            StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Replicator.Calls, c => c.Request.Source.Tag == "follower");
        Assert.Equal(["rh-1"], visibility.Changes.Select(c => c.ReceiptHandle));
    }

    /// <summary>
    /// A dead-lettered message is searched for by its image: the DeadLettered line of a head that failed after its
    /// retries, and of a follower that never ran, names the repository, tag and digest its event carries, as the
    /// GroupStopped and redelivery lines of the group behind do.
    /// </summary>
    [Fact]
    public async Task The_lines_of_dead_lettered_and_stopped_messages_name_their_image()
    {
        var (harness, processor, _) = Rig();
        ThrottleTag(harness, "head");

        await processor.ProcessAsync(
            E.Batch(Record("1", "head", Max, group: "g1"), Record("2", "head", Max - 1, group: "g2"), Record("3", "follower", Max, group: "g2")),
            harness.Context(),
            CancellationToken.None);

        Assert.Equal(["1", "3"], harness.DeadLetter.Sent.Select(m => m.DeduplicationId).Order(StringComparer.Ordinal));
        var lines = harness.LogLines.Where(l => l.TryGetProperty("outcome", out _)).ToList();
        (string? Repository, string? Tag, string? Digest) Image(string outcome, string messageId)
        {
            var line = Assert.Single(lines, l => l.GetProperty("outcome").GetString() == outcome && l.GetProperty("messageId").GetString() == messageId);
            string? Field(string name) => line.TryGetProperty(name, out var value) ? value.GetString() : null;
            return (Field("repository"), Field("tag"), Field("digest"));
        }

        Assert.Equal(("my-app", "head", E.Digest), Image("DeadLettered", "1"));
        Assert.Equal(("my-app", "follower", E.Digest), Image("DeadLettered", "3"));
        Assert.Equal(("my-app", "head", E.Digest), Image("GroupStopped", "2"));
        Assert.Equal(("my-app", "head", E.Digest), Image("RedeliveryScheduled", "2"));
    }

    /// <summary>
    /// The head stays in the queue on its last receive (its dead-letter send failed): SQS moves it on the next receive,
    /// so a follower sent to the dead-letter queue now would precede it there, and a redrive would replay them out of
    /// order (a DELETE before its PUSH). The followers are left to SQS, which moves them after it.
    /// </summary>
    [Fact]
    public async Task Followers_on_their_last_receive_are_not_dead_lettered_ahead_of_a_head_whose_send_failed()
    {
        var (harness, processor, _) = Rig();
        ThrottleTag(harness, "head");
        harness.DeadLetter.FailFor.Add("1");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "head", Max), Record("2", "follower", Max), Record("3", "other", Max, group: "g2")), harness.Context(), CancellationToken.None);

        Assert.Equal(["1", "2"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Empty(harness.DeadLetter.Sent);
        Assert.Contains(harness.LogLines, l => l.TryGetProperty("messageId", out var id) && id.GetString() == "2" && l.GetProperty("message").GetString()!.StartsWith("Not sent to the dead-letter queue on its last receive", StringComparison.Ordinal));
        Assert.Contains(harness.Replicator.Calls, c => c.Request.Source.Tag == "other");
    }

    [Fact]
    public async Task Among_records_the_deadline_left_unstarted_a_failed_send_holds_the_later_ones_back_too()
    {
        var (harness, processor, _) = Rig();
        harness.DeadLetter.FailFor.Add("2");
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max), Record("2", "v2", Max), Record("3", "v3", Max)), harness.Context(), deadline.Token);

        Assert.Equal(["1"], harness.DeadLetter.Sent.Select(m => m.DeduplicationId));
        Assert.Equal(["2", "3"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public async Task After_a_head_dead_lettered_on_its_last_receive_the_group_goes_on()
    {
        var (harness, processor, _) = Rig();
        ThrottleTag(harness, "head");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "head", Max), Record("2", "follower", Max)), harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Equal(["1"], harness.DeadLetter.Sent.Select(m => m.DeduplicationId));
        Assert.Contains(harness.Replicator.Calls, c => c.Request.Source.Tag == "follower");
    }

    [Fact]
    public async Task When_the_dead_letter_send_fails_the_records_are_reported_and_delayed_as_before()
    {
        var (harness, processor, visibility) = Rig();
        ThrottleTag(harness, "head");
        harness.DeadLetter.Fail = true;

        var response = await processor.ProcessAsync(E.Batch(Record("1", "head", Max), Record("2", "follower", Max)), harness.Context(), CancellationToken.None);

        Assert.Equal(["1", "2"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Empty(harness.DeadLetter.Sent);
        Assert.Equal(["rh-1", "rh-2"], visibility.Changes.Select(c => c.ReceiptHandle).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_record_the_deadline_left_unstarted_on_its_last_receive_is_dead_lettered_saying_so()
    {
        // 60 s invocation: the first record runs past the copies' stop (49 s) to 50 s, the second does not start. Its
        // dead-letter send has until 54 s: the group's visibility calls keep the 5 s before the answer (59 s).
        var (harness, processor, _) = Rig();
        harness.Replicator.OnReplicate = (r, _) =>
        {
            harness.Time.Advance(TimeSpan.FromSeconds(50));
            return Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        };

        var response = await processor.ProcessAsync(E.Batch(Record("1", "t1", Max), Record("2", "t2", Max)), harness.Context(TimeSpan.FromSeconds(60)), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal("2", sent.DeduplicationId);
        Assert.Equal("receive 200 of at most 200 (MAX_RECEIVE_COUNT) and it was not started before the invocation's deadline", sent.Reason);
    }

    [Fact]
    public async Task Without_max_receive_count_the_last_receive_is_reported_as_before()
    {
        var (harness, processor, visibility) = Rig(maxReceiveCount: null);
        ThrottleTag(harness, "v1");

        var response = await processor.ProcessAsync(E.Batch(Record("1", "v1", Max)), harness.Context(), CancellationToken.None);

        Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Empty(harness.DeadLetter.Sent);
        Assert.Single(visibility.Changes);
    }
}
