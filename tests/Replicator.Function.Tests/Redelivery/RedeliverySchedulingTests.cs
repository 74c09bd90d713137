using Replicator.Core.Replication;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Redelivery;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Redelivery;

/// <summary>
/// A group's reported records (after a transient failure, the deadline or a failed dead-letter send) get one backoff
/// delay each, through ChangeMessageVisibility.
/// </summary>
public sealed class RedeliverySchedulingTests
{
    private static SQSMessage Record(string id, string tag, string group, int receiveCount = 1) => E.Received(id, tag, group, receiveCount);

    private static (Harness Harness, BatchProcessor Processor, RecordingMessageVisibility Visibility) Rig(double random = 0.0)
    {
        var harness = new Harness();
        var visibility = new RecordingMessageVisibility();
        return (harness, harness.ProcessorWithRedelivery(visibility, random: random), visibility);
    }

    [Fact]
    public async Task A_transient_failure_delays_the_head_and_every_follower_of_its_group_and_nothing_else()
    {
        var (harness, processor, visibility) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == "g1-2"
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true)
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        var batch = E.Batch(Record("1", "g1-1", "g1"), Record("2", "g1-2", "g1", 3), Record("3", "g2-1", "g2"), Record("4", "g1-3", "g1"));

        var response = await processor.ProcessAsync(batch, harness.Context(), CancellationToken.None);

        Assert.Equal(["2", "4"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        var changes = visibility.Changes.OrderBy(c => c.ReceiptHandle, StringComparer.Ordinal).ToArray();
        Assert.Equal(["rh-2", "rh-4"], changes.Select(c => c.ReceiptHandle));
        Assert.All(changes, c => Assert.Equal(new Uri("https://sqs.us-east-1.amazonaws.com/000000000000/ecr-replicator.fifo"), c.QueueUrl));

        // Receive 3 of the head: ceiling 60 s, the lowest jitter gives half of it; the follower gets the same.
        Assert.All(changes, c => Assert.Equal(30, c.Seconds));
    }

    [Fact]
    public async Task The_delay_grows_with_the_receive_count_up_to_the_cap()
    {
        var (harness, processor, visibility) = Rig(random: 0.999);
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ServiceUnavailable", transient: true));

        await processor.ProcessAsync(E.Batch(Record("1", "a", "g1", 1), Record("2", "b", "g2", 40)), harness.Context(), CancellationToken.None);

        var byHandle = visibility.Changes.ToDictionary(c => c.ReceiptHandle, c => c.Seconds);
        Assert.Equal(15, byHandle["rh-1"]);
        Assert.Equal(900, byHandle["rh-2"]);
    }

    [Fact]
    public async Task Success_and_dead_lettered_poison_change_no_visibility()
    {
        var (harness, processor, visibility) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == "bad"
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ImmutableTagConflict", transient: false)
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));

        var response = await processor.ProcessAsync(E.Batch(Record("1", "good", "g1"), Record("2", "bad", "g2")), harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        Assert.Empty(visibility.Changes);
    }

    [Fact]
    public async Task Records_the_deadline_left_unstarted_are_delayed_by_the_backoff_not_the_visibility_timeout()
    {
        // 60 s invocation, margin 6 s: the first record takes 55 s, so its follower and the other group's head never
        // start. Nothing failed, but each is reported, and each would hold its group for 90 minutes undelayed.
        var (harness, processor, visibility) = Rig();
        harness.Replicator.OnReplicate = (r, _) =>
        {
            harness.Time.Advance(TimeSpan.FromSeconds(55));
            return Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Replicated));
        };
        var batch = E.Batch(Record("1", "a", "g1"), Record("2", "b", "g1"), Record("3", "c", "g2", 3));

        var response = await processor.ProcessAsync(batch, harness.Context(TimeSpan.FromSeconds(60)), CancellationToken.None);

        Assert.Equal(["2", "3"], response.BatchItemFailures.Select(f => f.ItemIdentifier).Order(StringComparer.Ordinal));
        var byHandle = visibility.Changes.ToDictionary(c => c.ReceiptHandle, c => c.Seconds);
        Assert.Equal(["rh-2", "rh-3"], byHandle.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(8, byHandle["rh-2"]); // receive 1: ceiling 15 s, the lowest jitter gives half, rounded up
        Assert.Equal(30, byHandle["rh-3"]); // receive 3: ceiling 60 s
    }

    [Fact]
    public async Task Poison_whose_dead_letter_send_failed_is_delayed_with_its_followers()
    {
        var (harness, processor, visibility) = Rig();
        harness.DeadLetter.Fail = true;
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(r.Source.Tag == "bad"
            ? FakeReplicator.Result(r, ReplicationOutcome.Failed, "ImmutableTagConflict", transient: false)
            : FakeReplicator.Result(r, ReplicationOutcome.Replicated));

        var response = await processor.ProcessAsync(E.Batch(Record("1", "bad", "g1"), Record("2", "later", "g1"), Record("3", "other", "g2")), harness.Context(), CancellationToken.None);

        Assert.Equal(["1", "2"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Equal(["rh-1", "rh-2"], visibility.Changes.Select(c => c.ReceiptHandle).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_failed_ChangeMessageVisibility_is_logged_and_the_record_is_still_reported()
    {
        var (harness, processor, visibility) = Rig();
        visibility.Fail = true;
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true));

        var response = await processor.ProcessAsync(E.Batch(Record("1", "a", "g1")), harness.Context(), CancellationToken.None);

        Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Contains(harness.LogLines, l => l.GetProperty("level").GetString() == "WARN" && l.GetProperty("message").GetString()!.StartsWith("ChangeMessageVisibility failed", StringComparison.Ordinal));
    }

    /// <summary>
    /// The group gets the backoff of its most received record, not of its head: a redriven follower received more often
    /// than the head keeps the group's delay as long as its own.
    /// </summary>
    [Fact]
    public async Task A_group_gets_the_backoff_of_its_most_received_record_even_when_that_is_a_follower()
    {
        var (harness, processor, visibility) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true));

        await processor.ProcessAsync(E.Batch(Record("1", "head", "g1", 1), Record("2", "follower", "g1", 5)), harness.Context(), CancellationToken.None);

        // Receive 5: ceiling 240 s, the lowest jitter gives half of it, for the head as for the follower.
        Assert.Equal([("rh-1", 120), ("rh-2", 120)], visibility.Changes.Select(c => (c.ReceiptHandle, c.Seconds)).Order());
    }

    [Fact]
    public async Task A_scheduled_redelivery_is_logged_with_its_outcome()
    {
        var (harness, processor, _) = Rig();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ThrottlingException", transient: true));

        await processor.ProcessAsync(E.Batch(Record("1", "a", "g1")), harness.Context(), CancellationToken.None);

        var line = Assert.Single(harness.LogLines, l => l.GetProperty("message").GetString()!.StartsWith("Redelivery in ", StringComparison.Ordinal));
        Assert.Equal("Redelivery in 8 s (receive 1)", line.GetProperty("message").GetString());
        Assert.Equal(LogOutcomes.RedeliveryScheduled, line.GetProperty("outcome").GetString());
    }

    /// <summary>A record without a receipt handle cannot be changed: it is left to the queue's visibility timeout and logged, and its group's other records still get their delay.</summary>
    [Fact]
    public async Task A_record_without_a_receipt_handle_is_left_to_the_visibility_timeout_and_the_others_are_delayed()
    {
        var harness = new Harness();
        var visibility = new RecordingMessageVisibility();
        var scheduler = new RedeliveryScheduler(visibility, new RedeliverySettings(), null, harness.Logger, () => 0.0);
        var withHandle = Record("1", "a", "g1");
        var received = Record("2", "b", "g1");
        var withoutHandle = new SQSMessage { MessageId = received.MessageId, Body = received.Body, Attributes = received.Attributes, ReceiptHandle = string.Empty, EventSourceArn = received.EventSourceArn };

        await scheduler.DelayAsync([withHandle, withoutHandle], "req-1", CancellationToken.None);

        Assert.Equal(["rh-1"], visibility.Changes.Select(c => c.ReceiptHandle));
        var line = Assert.Single(harness.LogLines, l => l.GetProperty("outcome").GetString() == LogOutcomes.RedeliveryNotScheduled);
        Assert.StartsWith("No queue URL or receipt handle", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_group_changes_nothing()
    {
        var harness = new Harness();
        var visibility = new RecordingMessageVisibility();

        await new RedeliveryScheduler(visibility, new RedeliverySettings(), null, harness.Logger, () => 0.0).DelayAsync([], "req-1", CancellationToken.None);

        Assert.Empty(visibility.Changes);
    }
}
