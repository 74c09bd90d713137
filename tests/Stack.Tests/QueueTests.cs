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

    [Fact]
    public void Visibility_timeout_is_at_least_six_times_the_function_timeout()
    {
        var visibility = (int)Stack.Properties("ReplicationQueue")["VisibilityTimeout"]!;
        var timeout = (int)Stack.Properties("ReplicatorFunction")["Timeout"]!;

        Assert.True(visibility >= 6 * timeout, $"VisibilityTimeout {visibility} < 6 x function Timeout {timeout}");
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
        // (RedeliveryWindowTests), which computes it from this template.
        Assert.InRange((int)redrive["maxReceiveCount"]!, 1, 1000);
        Assert.True((bool)dlq["FifoQueue"]!);
        Assert.True((bool)dlq["SqsManagedSseEnabled"]!);
        Assert.Equal(1209600, (int)dlq["MessageRetentionPeriod"]!);
    }

    [Fact]
    public void Queue_policy_admits_only_eventbridge_from_this_account_and_the_generated_rules()
    {
        var policy = Stack.Properties("ReplicationQueuePolicy");
        var statement = Assert.Single(policy["PolicyDocument"]!["Statement"]!.AsArray())!;
        var rules = Stack.OfType("AWS::Events::Rule").ToList();
        var patterns = Samples.Strings(statement["Condition"]!["ArnLike"]!["aws:SourceArn"]).ToList();

        Assert.Equal(["{Ref:ReplicationQueue}"], Samples.Strings(policy["Queues"]));
        Assert.Equal("Allow", (string)statement["Effect"]!);
        Assert.Equal("events.amazonaws.com", (string)statement["Principal"]!["Service"]!);
        Assert.Equal(["sqs:SendMessage"], Samples.Strings(statement["Action"]));
        Assert.Equal("{GetAtt:ReplicationQueue.Arn}", (string)statement["Resource"]!);
        Assert.Equal(IntrinsicEvaluator.AccountId, (string)statement["Condition"]!["StringEquals"]!["aws:SourceAccount"]!);
        Assert.Equal(rules.Count, patterns.Count);
        foreach (var (id, rule) in rules)
        {
            var arn = $"arn:aws:events:{IntrinsicEvaluator.Region}:{IntrinsicEvaluator.AccountId}:rule/{(string)rule["Properties"]!["Name"]!}";
            Assert.True(patterns.Count(p => Arn.Matches(p, arn)) == 1, $"{id} ({arn}) must match exactly one SourceArn of {string.Join(' ', patterns)}");
        }

        Assert.DoesNotContain(patterns, p => Arn.Matches(p, $"arn:aws:events:{IntrinsicEvaluator.Region}:{IntrinsicEvaluator.AccountId}:rule/other-rule"));
    }
}
