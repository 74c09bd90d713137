using System.Globalization;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class QueueTests
{
    private static readonly DeployedTemplate Stack = Samples.WithDeletes;

    [Fact]
    public void Replication_queue_is_fifo_with_content_deduplication_and_encryption()
    {
        var queue = Stack.Properties("ReplicationQueue");

        Assert.True((bool)queue["FifoQueue"]!);
        Assert.True((bool)queue["ContentBasedDeduplication"]!);
        Assert.True(queue["SqsManagedSseEnabled"] is { } sse ? (bool)sse : queue["KmsMasterKeyId"] is not null);
    }

    /// <summary>
    /// High throughput FIFO needs both settings together (SQS refuses perMessageGroupId with a queue-wide deduplication
    /// scope): the quota is then per repository, not one for the whole queue.
    /// </summary>
    [Fact]
    public void Replication_queue_is_in_high_throughput_mode()
    {
        var queue = Stack.Properties("ReplicationQueue");

        Assert.Equal("messageGroup", (string)queue["DeduplicationScope"]!);
        Assert.Equal("perMessageGroupId", (string)queue["FifoThroughputLimit"]!);
    }

    /// <summary>
    /// The function sends each poison record (and each record on its last receive) to the dead-letter queue itself,
    /// one SendMessage per record, from every instance at once, in the record's own group (its repository). A FIFO
    /// queue not in high throughput mode takes 300 SendMessage calls a second and throttles past them
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-fifo-throttling-issues.html),
    /// so a burst of poison across repositories had its sends refused and its records redelivered, and one on its
    /// last receive reached the dead-letter queue by the redrive policy without its reason. Deduplicating per group
    /// loses nothing: the deduplication id is the source message's id, which always comes with the same group.
    /// </summary>
    [Fact]
    public void Dead_letter_queue_is_in_high_throughput_mode_as_the_function_sends_to_it_per_repository()
    {
        var queue = Stack.Properties("DeadLetterQueue");

        Assert.Equal("messageGroup", (string?)queue["DeduplicationScope"]);
        Assert.Equal("perMessageGroupId", (string?)queue["FifoThroughputLimit"]);
    }

    /// <summary>
    /// The function fits a dead-lettered message (the replication queue's body, its reason and error type) within 1 MiB
    /// (SqsDeadLetterQueue.MaxMessageBytes): both queues must take that much, not a smaller default of some partition or
    /// of a queue made before SQS raised it.
    /// </summary>
    [Theory]
    [InlineData("ReplicationQueue")]
    [InlineData("DeadLetterQueue")]
    public void The_replication_queue_and_its_dead_letter_queue_take_the_1_MiB_the_function_fits_a_dead_letter_within(string queue)
    {
        Assert.Equal(1_048_576, (int)Stack.Properties(queue)["MaximumMessageSize"]!);
    }

    [Fact]
    public void Visibility_timeout_is_at_least_six_times_the_function_timeout()
    {
        var visibility = (int)Stack.Properties("ReplicationQueue")["VisibilityTimeout"]!;
        var timeout = (int)Stack.Properties("ReplicatorFunction")["Timeout"]!;

        Assert.True(visibility >= 6 * timeout, $"VisibilityTimeout {visibility} < 6 x function Timeout {timeout}");
    }

    /// <summary>
    /// The function bounds RETRY_MAX_SECONDS by SQS's 12 hours less this queue's visibility timeout, the time a throttled
    /// batch can take to reach it (RedeliveryBackoff.MaxDelaySeconds): a longer timeout here would let it ask for more
    /// than SQS accepts.
    /// </summary>
    [Fact]
    public void The_queue_visibility_timeout_is_the_one_the_functions_longest_redelivery_delay_allows_for()
    {
        Assert.Equal(Replicator.Function.Redelivery.RedeliveryBackoff.QueueVisibilitySeconds, (int)Stack.Properties("ReplicationQueue")["VisibilityTimeout"]!);
    }

    [Fact]
    public void Queue_keeps_messages_for_days_and_redrives_to_the_fifo_dead_letter_queue()
    {
        var queue = Stack.Properties("ReplicationQueue");
        var redrive = queue["RedrivePolicy"]!;
        var dlq = Stack.Properties("DeadLetterQueue");

        Assert.InRange((int)queue["MessageRetentionPeriod"]!, 2 * 86400, 14 * 86400);
        Assert.Equal("{GetAtt:DeadLetterQueue.Arn}", (string)redrive["deadLetterTargetArn"]!);
        // SQS's range; the outage it buys with the function's backoff is checked in Replicator.Function.Tests
        // (RedeliveryBackoffTests), which computes it from this template.
        Assert.InRange(int.Parse(redrive["maxReceiveCount"]!.ToString(), CultureInfo.InvariantCulture), 1, 1000);
        Assert.True((bool)dlq["FifoQueue"]!);
        Assert.True((bool)dlq["SqsManagedSseEnabled"]!);
        Assert.Equal(1209600, (int)dlq["MessageRetentionPeriod"]!);
    }

    [Fact]
    public void A_message_outlives_every_receive_when_the_function_cannot_run_so_it_reaches_the_dead_letter_queue()
    {
        // A function that fails at init never sets a message's visibility: each of the maxReceiveCount receives waits
        // the queue's whole VisibilityTimeout. Retention shorter than that lets messages expire unseen, without ever
        // reaching the dead-letter queue and its alarms.
        var queue = Stack.Properties("ReplicationQueue");
        var receives = long.Parse(queue["RedrivePolicy"]!["maxReceiveCount"]!.ToString(), CultureInfo.InvariantCulture);
        var visibility = (long)queue["VisibilityTimeout"]!;
        var retention = (long)queue["MessageRetentionPeriod"]!;

        Assert.True(retention > receives * visibility, $"MessageRetentionPeriod {retention} <= maxReceiveCount {receives} x VisibilityTimeout {visibility}");

        // The dead-letter queue keeps the SQS maximum; a FIFO queue's message counts its retention there from the move.
        Assert.True((bool)Stack.Properties("DeadLetterQueue")["FifoQueue"]!);
        Assert.Equal(1209600, (int)Stack.Properties("DeadLetterQueue")["MessageRetentionPeriod"]!);
    }

    [Fact]
    public void The_function_is_told_the_replication_queues_max_receive_count_and_both_come_from_one_mapping()
    {
        // The function dead-letters a record with its reason on the receive SQS would move it after: the two numbers
        // must be the same, or it either acts a receive early or SQS moves the message first without a reason.
        var redrive = Stack.Properties("ReplicationQueue")["RedrivePolicy"]!["maxReceiveCount"]!.ToString();
        var told = Stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["MAX_RECEIVE_COUNT"]!.ToString();

        Assert.Equal(redrive, told);
        Assert.InRange(int.Parse(told, CultureInfo.InvariantCulture), 1, 1000);

        // One source of truth in the template as written, so an edit of one place cannot leave the other behind.
        var written = StackTemplate.Raw["Resources"]!;
        var findInMap = """{"Fn::FindInMap":["Redrive","ReplicationQueue","MaxReceiveCount"]}""";
        Assert.Equal(findInMap, written["ReplicationQueue"]!["Properties"]!["RedrivePolicy"]!["maxReceiveCount"]!.ToJsonString());
        Assert.Equal(findInMap, written["ReplicatorFunction"]!["Properties"]!["Environment"]!["Variables"]!["MAX_RECEIVE_COUNT"]!.ToJsonString());
    }

    [Fact]
    public void Only_the_stack_rule_may_send_to_the_intake_queue_and_its_dead_letter_queue()
    {
        var policy = Stack.Properties("IntakeQueuePolicy");
        var statement = Assert.Single(policy["PolicyDocument"]!["Statement"]!.AsArray(), s => (string)s!["Effect"]! == "Allow")!;

        Assert.Equal(["{Ref:IntakeQueue}", "{Ref:IntakeDeadLetterQueue}"], Samples.Strings(policy["Queues"]));
        Assert.Equal("Allow", (string)statement["Effect"]!);
        Assert.Equal("events.amazonaws.com", (string)statement["Principal"]!["Service"]!);
        Assert.Equal(["sqs:SendMessage"], Samples.Strings(statement["Action"]));
        Assert.Equal(["{GetAtt:IntakeQueue.Arn}", "{GetAtt:IntakeDeadLetterQueue.Arn}"], Samples.Strings(statement["Resource"]));
        Assert.Equal("{GetAtt:ImageActionRule.Arn}", (string)statement["Condition"]!["ArnEquals"]!["aws:SourceArn"]!);
        // The FIFO queue is written through identity policies only (the pipe's role): no resource policy allows on it.
        Assert.DoesNotContain(
            Stack.OfType("AWS::SQS::QueuePolicy"),
            p => Samples.Strings(p.Value["Properties"]!["Queues"]).Contains("{Ref:ReplicationQueue}")
                && p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Any(s => (string)s!["Effect"]! == "Allow"));
    }

    [Fact]
    public void Every_queue_refuses_requests_made_without_tls()
    {
        var queues = Stack.OfType("AWS::SQS::Queue").Select(q => q.Key).ToArray();
        Assert.Equal(4, queues.Length);

        foreach (var queue in queues)
        {
            var deny = Stack.OfType("AWS::SQS::QueuePolicy")
                .Where(p => Samples.Strings(p.Value["Properties"]!["Queues"]).Contains($"{{Ref:{queue}}}"))
                .SelectMany(p => p.Value["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray())
                .SingleOrDefault(s => (string)s!["Effect"]! == "Deny");

            Assert.True(deny is not null, $"no policy denies {queue} without TLS");
            Assert.Equal("*", (string)deny!["Principal"]!);
            Assert.Equal(["sqs:*"], Samples.Strings(deny["Action"]));
            Assert.Contains($"{{GetAtt:{queue}.Arn}}", Samples.Strings(deny["Resource"]));
            Assert.Equal("false", (string)deny["Condition"]!["Bool"]!["aws:SecureTransport"]!);
        }
    }

    [Fact]
    public void Intake_queue_is_standard_encrypted_and_redrives_to_its_own_dead_letter_queue()
    {
        var intake = Stack.Properties("IntakeQueue");
        var dlq = Stack.Properties("IntakeDeadLetterQueue");

        Assert.Null(intake["FifoQueue"]);
        Assert.Null(dlq["FifoQueue"]);
        Assert.True((bool)intake["SqsManagedSseEnabled"]!);
        Assert.True((bool)dlq["SqsManagedSseEnabled"]!);
        Assert.Equal("{GetAtt:IntakeDeadLetterQueue.Arn}", (string)intake["RedrivePolicy"]!["deadLetterTargetArn"]!);
        // The pipe's failed batches are retried for an hour (a throttled FIFO queue) before a message is parked, and
        // parked well inside the intake queue's retention (a message that expires first is lost, not parked).
        var window = (int)intake["RedrivePolicy"]!["maxReceiveCount"]! * (int)intake["VisibilityTimeout"]!;
        Assert.InRange(window, 3600, 2 * 3600);
        Assert.True(window < (int)intake["MessageRetentionPeriod"]!);
        Assert.Equal(1209600, (int)dlq["MessageRetentionPeriod"]!);
    }
}
