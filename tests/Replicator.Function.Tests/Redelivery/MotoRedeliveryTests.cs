using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Core.Replication;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.Redelivery;
using Replicator.Function.Tests.Support;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Redelivery;

/// <summary>
/// Against a real SQS API (moto's server): a message received under the queue's 5,400 s visibility timeout, failed
/// transiently by the function, comes back after the backoff (RETRY_BASE_SECONDS=1) rather than after 90 minutes; so
/// does the follower of a FIFO head that failed, which never ran.
/// </summary>
public sealed class MotoRedeliveryTests
{
    [Fact]
    public async Task A_transiently_failed_message_is_received_again_after_the_backoff_not_the_visibility_timeout()
    {
        await using var moto = await MotoServer.StartAsync();
        using var sqs = Client(moto);
        var queueUrl = await CreateQueueAsync(sqs);
        await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = E.Body(repository: "team/app", tag: "v1", account: MotoServer.AccountId), MessageGroupId = "team/app" });

        var first = await ReceiveAsync(sqs, queueUrl, TimeSpan.FromSeconds(30));
        Assert.NotNull(first);
        var record = ToRecord(first);
        Assert.Equal("1", record.Attributes["ApproximateReceiveCount"]);

        // Nothing else comes out while the message is in flight under the queue's 5,400 s.
        Assert.Null(await ReceiveAsync(sqs, queueUrl, TimeSpan.Zero));

        var harness = new Harness();
        var processor = FailingTransiently(harness, sqs, moto);

        var response = await processor.ProcessAsync(E.Batch(record), harness.Context(), CancellationToken.None);
        Assert.Equal([first.MessageId], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Contains(harness.LogLines, l => l.TryGetProperty("outcome", out var o) && o.GetString() == "RedeliveryScheduled");

        // The backoff is 1 s; the wait is generous (the machine is shared) and still far below 5,400 s.
        var again = await ReceiveAsync(sqs, queueUrl, TimeSpan.FromSeconds(60));
        Assert.NotNull(again);
        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Equal("2", again.Attributes["ApproximateReceiveCount"]);
    }

    [Fact]
    public async Task A_failed_fifo_head_and_the_follower_it_held_back_are_both_received_again_after_the_backoff()
    {
        await using var moto = await MotoServer.StartAsync();
        using var sqs = Client(moto);
        var queueUrl = await CreateQueueAsync(sqs);
        foreach (var tag in new[] { "v1", "v2" })
        {
            await sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = queueUrl, MessageBody = E.Body(repository: "team/app", tag: tag, account: MotoServer.AccountId), MessageGroupId = "team/app" });
        }

        var received = await ReceiveEachAsync(sqs, queueUrl, 2, TimeSpan.FromSeconds(30), acknowledge: false);
        Assert.Equal(2, received.Count);
        var (head, follower) = (received[0], received[1]);
        Assert.Equal(["1", "1"], received.Select(m => m.Attributes["ApproximateReceiveCount"]));

        var harness = new Harness();
        var processor = FailingTransiently(harness, sqs, moto);

        var response = await processor.ProcessAsync(E.Batch(ToRecord(head), ToRecord(follower)), harness.Context(), CancellationToken.None);
        Assert.Equal([head.MessageId, follower.MessageId], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Single(harness.Replicator.Calls);

        // Each message's visibility must have been cut to the backoff: moto, like SQS, delivers nothing of a group while
        // any of its messages is in flight, so a follower left under the 5,400 s would hold the head back too. moto hands
        // the follower back before the head (not SQS's order), and the head only once the follower is gone, so each one
        // received is deleted, as a consumer acknowledges it. The backoff is 1 s; the bound is generous (a shared machine).
        var again = await ReceiveEachAsync(sqs, queueUrl, 2, TimeSpan.FromSeconds(60), acknowledge: true);
        Assert.Equal(new[] { head.MessageId, follower.MessageId }.Order(), again.Select(m => m.MessageId).Order());
        Assert.All(again, m => Assert.Equal("2", m.Attributes["ApproximateReceiveCount"]));
    }

    private static AmazonSQSClient Client(MotoServer moto) =>
        new(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = moto.Endpoint.AbsoluteUri, AuthenticationRegion = "us-east-1" });

    /// <summary>The stack's FIFO queue as far as these tests need it: its 5,400 s visibility timeout, in high throughput mode.</summary>
    private static async Task<string> CreateQueueAsync(IAmazonSQS sqs) => (await sqs.CreateQueueAsync(new CreateQueueRequest
    {
        QueueName = "ecr-replicator.fifo",
        Attributes = new Dictionary<string, string>
        {
            ["FifoQueue"] = "true",
            ["ContentBasedDeduplication"] = "true",
            ["DeduplicationScope"] = "messageGroup",
            ["FifoThroughputLimit"] = "perMessageGroupId",
            ["VisibilityTimeout"] = "5400",
        },
    })).QueueUrl;

    /// <summary>A batch processor whose every copy fails transiently, scheduling redelivery on moto with a 1 s backoff.</summary>
    private static BatchProcessor FailingTransiently(Harness harness, IAmazonSQS sqs, MotoServer moto)
    {
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, "ServiceUnavailable", transient: true));
        var scheduler = new RedeliveryScheduler(
            new SqsMessageVisibility(() => sqs),
            new RedeliverySettings { BaseSeconds = 1, MaxSeconds = 1 },
            moto.Endpoint,
            harness.Logger);
        // moto is one Python process on a shared machine: its ChangeMessageVisibility gets 30 s of real time, not the
        // product's 5 s, so a slow answer cannot leave the redelivery unscheduled (the batch's 5 minutes leave room).
        var options = new BatchProcessorOptions { RedeliveryCallTimeout = TimeSpan.FromSeconds(30) };
        return new BatchProcessor(harness.Handler, harness.DeadLetter, harness.Logger, options, scheduler);
    }

    private static SQSMessage ToRecord(Message message) => new()
    {
        MessageId = message.MessageId,
        ReceiptHandle = message.ReceiptHandle,
        Body = message.Body,
        Attributes = new Dictionary<string, string>(message.Attributes),
        EventSourceArn = $"arn:aws:sqs:us-east-1:{MotoServer.AccountId}:ecr-replicator.fifo",
        AwsRegion = "us-east-1",
    };

    /// <summary>
    /// Long-polls until <paramref name="count"/> messages have arrived or <paramref name="within"/> has passed, deleting
    /// each one received when <paramref name="acknowledge"/> is set.
    /// </summary>
    private static async Task<List<Message>> ReceiveEachAsync(IAmazonSQS sqs, string queueUrl, int count, TimeSpan within, bool acknowledge)
    {
        var seen = new List<Message>();
        var deadline = DateTime.UtcNow + within;
        while (seen.Count < count && DateTime.UtcNow < deadline)
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 10,
                WaitTimeSeconds = 5,
                MessageSystemAttributeNames = ["All"],
            });
            foreach (var message in received.Messages ?? [])
            {
                seen.Add(message);
                if (acknowledge)
                {
                    await sqs.DeleteMessageAsync(queueUrl, message.ReceiptHandle);
                }
            }
        }

        return seen;
    }

    /// <summary>Long-polls until a message arrives or <paramref name="within"/> has passed (zero: one short poll).</summary>
    private static async Task<Message?> ReceiveAsync(IAmazonSQS sqs, string queueUrl, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            var received = await sqs.ReceiveMessageAsync(new ReceiveMessageRequest
            {
                QueueUrl = queueUrl,
                MaxNumberOfMessages = 1,
                WaitTimeSeconds = within == TimeSpan.Zero ? 0 : 5,
                MessageSystemAttributeNames = ["All"],
            });
            if (received.Messages is { Count: > 0 } messages)
            {
                return messages[0];
            }
        }
        while (DateTime.UtcNow < deadline);

        return null;
    }
}
