using Replicator.Function.Events;
using Soak;

namespace Replicator.Function.Tests.Reliability;

/// <summary>The soak's queue on its simulated clock: it must deliver what SQS FIFO would, and never stop its clock.</summary>
public sealed class SimulatedFifoQueueTests
{
    private static readonly Uri QueueUrl = new("https://sqs.us-east-1.amazonaws.com/111122223333/ecr-replicator.fifo");

    [Fact]
    public async Task The_clock_jumps_to_an_invisible_head_even_while_followers_that_never_ran_wait_behind_it()
    {
        var queue = new SimulatedFifoQueue(maxReceiveCount: 200, new RecordingDeadLetterQueue(), timed: true);
        queue.Send(Message("a1", "repo-a"));
        queue.Send(Message("a2", "repo-a"));

        await FailAsync(queue, queue.Receive(max: 1), visibilitySeconds: 30);

        Assert.Empty(queue.Receive());
        Assert.True(queue.AdvanceToNextVisible());
        Assert.Equal(30, queue.Now);
        Assert.Equal(["a1", "a2"], queue.Receive().Select(e => e.Id));
    }

    [Fact]
    public void The_clock_stays_while_a_head_is_receivable_or_its_group_is_in_flight()
    {
        var queue = new SimulatedFifoQueue(maxReceiveCount: 200, new RecordingDeadLetterQueue(), timed: true);
        queue.Send(Message("a1", "repo-a"));
        queue.Send(Message("a2", "repo-a"));

        Assert.False(queue.AdvanceToNextVisible());
        var inFlight = queue.Receive(max: 1);
        Assert.Equal("a1", Assert.Single(inFlight).Id);

        Assert.False(queue.AdvanceToNextVisible());
        Assert.Equal(0, queue.Now);
    }

    [Fact]
    public async Task The_clock_waits_for_a_batch_in_flight_even_when_another_groups_head_is_due_later()
    {
        var queue = new SimulatedFifoQueue(maxReceiveCount: 200, new RecordingDeadLetterQueue(), timed: true);
        queue.Send(Message("a1", "repo-a"));
        queue.Send(Message("b1", "repo-b"));
        await FailAsync(queue, queue.Receive(max: 1), visibilitySeconds: 300);
        var b = queue.Receive(max: 1);
        Assert.Equal("b1", Assert.Single(b).Id);

        // repo-a's head is due at 300, but repo-b's batch may still fail and come back sooner than that.
        Assert.False(queue.AdvanceToNextVisible());
        Assert.Equal(0, queue.Now);

        await FailAsync(queue, b, visibilitySeconds: 30);
        Assert.True(queue.AdvanceToNextVisible());
        Assert.Equal(30, queue.Now);
        Assert.Equal(["b1"], queue.Receive().Select(e => e.Id));
    }

    /// <summary>The function's answer to a batch whose one message failed: a ChangeMessageVisibility, then the report.</summary>
    private static async Task FailAsync(SimulatedFifoQueue queue, IReadOnlyList<SimulatedFifoQueue.Entry> batch, int visibilitySeconds)
    {
        var entry = Assert.Single(batch);
        await queue.ChangeAsync(QueueUrl, entry.Message.ReceiptHandle!, visibilitySeconds, CancellationToken.None);
        queue.Complete(batch, new HashSet<string>(StringComparer.Ordinal) { entry.Id }, _ => "ServiceUnavailable");
    }

    private static SQSMessage Message(string id, string group) => new()
    {
        MessageId = id,
        Body = "{}",
        Attributes = new Dictionary<string, string> { [SQSMessage.MessageGroupIdAttribute] = group },
        EventSourceArn = "arn:aws:sqs:us-east-1:111122223333:ecr-replicator.fifo",
        AwsRegion = "us-east-1",
    };
}
