using System.Text.Json.Nodes;
using Replicator.Function.Observability;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class AlarmTests
{
    private static JsonObject AlarmOn(DeployedTemplate stack, string metric, string dimensionValue)
    {
        var (_, alarm) = Assert.Single(stack.OfType("AWS::CloudWatch::Alarm"), a =>
            (string?)a.Value["Properties"]!["MetricName"] == metric &&
            a.Value["Properties"]!["Dimensions"]!.AsArray().Any(d => (string?)d!["Value"] == dimensionValue));
        return alarm["Properties"]!.AsObject();
    }

    [Fact]
    public void Any_message_in_the_dead_letter_queue_raises_an_alarm()
    {
        var alarm = AlarmOn(Samples.WithDeletes, "ApproximateNumberOfMessagesVisible", "{GetAtt:DeadLetterQueue.QueueName}");

        Assert.Equal("AWS/SQS", (string)alarm["Namespace"]!);
        Assert.Equal("GreaterThanThreshold", (string)alarm["ComparisonOperator"]!);
        Assert.Equal(0, (double)alarm["Threshold"]!);
    }

    [Theory]
    [InlineData("Errors")]
    [InlineData("Throttles")]
    public void Function_errors_and_throttles_raise_alarms(string metric)
    {
        var alarm = AlarmOn(Samples.WithDeletes, metric, "{Ref:ReplicatorFunction}");

        Assert.Equal("AWS/Lambda", (string)alarm["Namespace"]!);
        Assert.Equal("GreaterThanThreshold", (string)alarm["ComparisonOperator"]!);
        Assert.Equal(0, (double)alarm["Threshold"]!);
    }

    [Fact]
    public void Age_of_the_oldest_queued_message_raises_an_alarm_above_the_parameter()
    {
        var alarm = AlarmOn(Samples.WithDeletes, "ApproximateAgeOfOldestMessage", "{GetAtt:ReplicationQueue.QueueName}");

        Assert.Equal("AWS/SQS", (string)alarm["Namespace"]!);
        Assert.Equal("3600", alarm["Threshold"]!.ToString());
    }

    [Fact]
    public void Alarms_notify_the_email_topic_only_when_an_email_is_given()
    {
        var withEmail = Samples.WithDeletes;
        var subscription = Assert.Single(withEmail.OfType("AWS::SNS::Subscription")).Value["Properties"]!;

        Assert.Equal("email", (string)subscription["Protocol"]!);
        Assert.Equal("ops@example.com", (string)subscription["Endpoint"]!);
        Assert.Equal("{Ref:AlarmTopic}", (string)subscription["TopicArn"]!);
        // Ten for the stack, the p99 latency and stall alarms over all destinations, both once per destination region,
        // and the reconciler's two (the default schedule is on).
        Assert.Equal(12 + (2 * Samples.Destinations.Length) + 2, withEmail.OfType("AWS::CloudWatch::Alarm").Count());
        Assert.All(withEmail.OfType("AWS::CloudWatch::Alarm"), a => Assert.Equal(["{Ref:AlarmTopic}"], Samples.Strings(a.Value["Properties"]!["AlarmActions"])));

        var withoutEmail = Samples.PushOnly;
        Assert.Empty(withoutEmail.OfType("AWS::SNS::Topic"));
        Assert.Empty(withoutEmail.OfType("AWS::SNS::Subscription"));
        Assert.Equal(12 + 2 + 2, withoutEmail.OfType("AWS::CloudWatch::Alarm").Count());
        Assert.All(withoutEmail.OfType("AWS::CloudWatch::Alarm"), a => Assert.Null(a.Value["Properties"]!["AlarmActions"]));
        Assert.All(withoutEmail.OfType("AWS::CloudWatch::Alarm"), a => Assert.Null(a.Value["Properties"]!["OKActions"]));
    }

    private const string OpsTopic = "arn:aws:sns:us-east-1:123456789012:ops-alarms";

    [Theory]
    [InlineData("ops@example.com", new[] { "{Ref:AlarmTopic}", OpsTopic })]
    [InlineData("", new[] { OpsTopic })]
    public void Alarms_also_notify_an_existing_topic_given_as_AlarmTopicArn(string email, string[] expected)
    {
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["AlarmEmail"] = email,
            ["AlarmTopicArn"] = OpsTopic,
        });

        var alarms = stack.OfType("AWS::CloudWatch::Alarm").ToList();
        Assert.Equal(12 + 2 + 2, alarms.Count); // with the reconciler's two
        Assert.All(alarms, a =>
        {
            Assert.Equal(expected, Samples.Strings(a.Value["Properties"]!["AlarmActions"]));
            Assert.Equal(expected, Samples.Strings(a.Value["Properties"]!["OKActions"]));
        });
        // The stack's own topic exists only for an email, and the output names only that topic.
        Assert.Equal(email != "", stack.OfType("AWS::SNS::Topic").Any());
    }

    /// <summary>
    /// Every alarm of the template as written notifies the same targets: an alarm added with its own copy of the
    /// actions (and without AlarmTopicArn) is caught here, whatever sample stacks expand it.
    /// </summary>
    [Fact]
    public void Every_alarm_as_written_takes_the_same_actions()
    {
        var resources = StackTemplate.Raw["Resources"]!.AsObject();
        var alarms = resources
            .Where(r => !r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal))
            .Select(r => r.Value!.AsObject())
            .Concat(resources.Where(r => r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal)).SelectMany(r => r.Value![2]!.AsObject().Select(f => f.Value!.AsObject())))
            .Where(r => (string?)r["Type"] == "AWS::CloudWatch::Alarm")
            .ToList();
        var expected = alarms[0]["Properties"]!["AlarmActions"]!.ToJsonString();

        Assert.True(alarms.Count >= 12, $"{alarms.Count} alarms");
        Assert.Contains("AlarmTopicArn", expected, StringComparison.Ordinal);
        Assert.All(alarms, a =>
        {
            Assert.Equal(expected, a["Properties"]!["AlarmActions"]!.ToJsonString());
            Assert.Equal(expected, a["Properties"]!["OKActions"]!.ToJsonString());
        });
    }

    [Fact]
    public void Every_message_the_function_sends_to_the_dead_letter_queue_raises_an_alarm_again()
    {
        // The depth alarm stays in ALARM while the queue holds anything; a send in a later period alarms anew.
        var alarm = AlarmOn(Samples.WithDeletes, "NumberOfMessagesSent", "{GetAtt:DeadLetterQueue.QueueName}");

        Assert.Equal("AWS/SQS", (string)alarm["Namespace"]!);
        Assert.Equal("Sum", (string)alarm["Statistic"]!);
        Assert.Equal(0, (double)alarm["Threshold"]!);
        Assert.Equal("GreaterThanThreshold", (string)alarm["ComparisonOperator"]!);
        // The queue the function is told to send poison to.
        var deadLetterUrl = (string)Samples.WithDeletes.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["DEAD_LETTER_QUEUE_URL"]!;
        Assert.Equal("{Ref:DeadLetterQueue}", deadLetterUrl);
    }

    [Fact]
    public void Every_event_EventBridge_sends_to_the_intake_dead_letter_queue_raises_an_alarm_again()
    {
        // As for the replication dead-letter queue: the depth alarm stays in ALARM while the queue holds anything (the
        // events of names longer than 128 characters stay there), so a send in a later period must alarm anew.
        var (id, alarm) = Assert.Single(Samples.WithDeletes.OfType("AWS::CloudWatch::Alarm"), a =>
            (string?)a.Value["Properties"]!["MetricName"] == "NumberOfMessagesSent" &&
            a.Value["Properties"]!["Dimensions"]!.AsArray().Any(d => (string?)d!["Value"] == "{GetAtt:IntakeDeadLetterQueue.QueueName}"));
        var properties = alarm["Properties"]!;

        Assert.Equal("IntakeDeadLetterQueueSentAlarm", id);
        Assert.Equal("AWS/SQS", (string)properties["Namespace"]!);
        Assert.Equal("Sum", (string)properties["Statistic"]!);
        Assert.Equal(300, (int)properties["Period"]!);
        Assert.Equal(0, (double)properties["Threshold"]!);
        Assert.Equal("GreaterThanThreshold", (string)properties["ComparisonOperator"]!);
        Assert.Equal("notBreaching", (string)properties["TreatMissingData"]!);
        Assert.Equal(
            Samples.WithDeletes.Properties("DeadLetterQueueSentAlarm")["AlarmActions"]!.ToJsonString(),
            properties["AlarmActions"]!.ToJsonString());
    }

    [Fact]
    public void An_event_EventBridge_could_put_neither_in_the_intake_queue_nor_in_its_dead_letter_queue_raises_an_alarm()
    {
        // A permission error is sent straight to the rule's dead-letter queue, which the same queue policy then refuses:
        // the event is in no queue, and only EventBridge's own metric of the image-action rule counts it.
        foreach (var (_, stack) in Samples.EveryBranch())
        {
            var alarm = AlarmOn(stack, "InvocationsFailedToBeSentToDlq", "{Ref:ImageActionRule}");

            Assert.Equal("AWS/Events", (string)alarm["Namespace"]!);
            Assert.Equal("RuleName", (string)Assert.Single(alarm["Dimensions"]!.AsArray())!["Name"]!);
            Assert.Equal(("Sum", "GreaterThanThreshold", "0", "notBreaching"), ((string)alarm["Statistic"]!, (string)alarm["ComparisonOperator"]!, alarm["Threshold"]!.ToString(), (string)alarm["TreatMissingData"]!));
            // The rule the alarm names is the one that delivers to the intake queue, on the default bus (RuleName alone).
            var rule = stack.Properties("ImageActionRule");
            Assert.Null(rule["EventBusName"]);
            Assert.Equal("{GetAtt:IntakeDeadLetterQueue.Arn}", (string)rule["Targets"]![0]!["DeadLetterConfig"]!["Arn"]!);
        }
    }

    [Fact]
    public void A_given_up_replicated_event_raises_an_alarm_over_every_destination_only_with_a_bus()
    {
        var stack = Samples.Options;
        var alarm = stack.Properties("ReplicatedEventsFailedAlarm");

        // MetricsWriter.WriteReplicatedEventFailed also writes the metric under the empty dimension set: no Dimensions.
        Assert.Equal((string)stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["METRICS_NAMESPACE"]!, (string)alarm["Namespace"]!);
        Assert.Equal(MetricsWriter.ReplicatedEventsFailedMetric, (string)alarm["MetricName"]!);
        Assert.Null(alarm["Dimensions"]);
        Assert.Equal(("Sum", "GreaterThanThreshold", "0", "notBreaching"), ((string)alarm["Statistic"]!, (string)alarm["ComparisonOperator"]!, alarm["Threshold"]!.ToString(), (string)alarm["TreatMissingData"]!));
        Assert.NotNull(stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATED_EVENT_BUS"]);
        Assert.DoesNotContain(Samples.WithDeletes.OfType("AWS::CloudWatch::Alarm"), a => a.Key == "ReplicatedEventsFailedAlarm");
    }

    [Theory]
    [InlineData("arn:aws:sns:us-east-1:123456789012:ops-alarms", true)]
    [InlineData("arn:aws-cn:sns:cn-north-1:123456789012:ops_alarms", true)]
    [InlineData("", true)]
    // A FIFO topic needs a MessageGroupId on every publish, which an alarm action does not send.
    [InlineData("arn:aws:sns:us-east-1:123456789012:ops-alarms.fifo", false)]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:ops-alarms", false)]
    [InlineData("ops-alarms", false)]
    public void AlarmTopicArn_takes_a_standard_topic_arn_only(string value, bool admitted)
    {
        var pattern = (string)StackTemplate.Raw["Parameters"]!["AlarmTopicArn"]!["AllowedPattern"]!;

        Assert.Equal(admitted, System.Text.RegularExpressions.Regex.IsMatch(value, pattern, System.Text.RegularExpressions.RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Outputs_name_the_queues_the_function_and_the_conditional_topic()
    {
        var outputs = StackTemplate.Raw["Outputs"]!.AsObject();

        foreach (var name in new[] { "ReplicationQueueUrl", "ReplicationQueueArn", "DeadLetterQueueUrl", "DeadLetterQueueArn", "ReplicatorFunctionName", "ReplicationDashboardName", "AlarmTopicArn" })
        {
            Assert.True(outputs.ContainsKey(name), $"output {name} missing");
        }

        Assert.Equal("HasAlarmEmail", (string)outputs["AlarmTopicArn"]!["Condition"]!);
    }

    [Fact]
    public void An_output_gives_the_function_role_arn_destination_role_yaml_trusts()
    {
        // destination-role.yaml's ReplicatorRoleArn names a role that must exist (IAM refuses a trust policy naming
        // one that does not), so another account's role is deployed from this output, after the replicator's stack.
        var output = StackTemplate.Raw["Outputs"]!["ReplicatorFunctionRoleArn"]!;

        Assert.Null(output["Condition"]);
        Assert.Equal(["ReplicatorFunctionRole", "Arn"], output["Value"]!["Fn::GetAtt"]!.AsArray().Select(n => (string)n!));
        Assert.Equal("AWS::IAM::Role", (string)Samples.WithDeletes.Resource("ReplicatorFunctionRole")["Type"]!);
        Assert.Equal("{GetAtt:ReplicatorFunctionRole.Arn}", (string)Samples.WithDeletes.Properties("ReplicatorFunction")["Role"]!);
        Assert.NotNull(StackTemplate.RawDestinationRole["Parameters"]!["ReplicatorRoleArn"]);
    }

    [Theory]
    [InlineData("ReconcileFailuresAlarm", MetricsWriter.ReconcileFailuresMetric)]
    [InlineData("ReconcileRefusedAlarm", MetricsWriter.ReconcileRefusedMetric)]
    public void A_reconcile_run_with_failures_notifies_through_the_metric_the_function_writes_and_only_with_a_schedule(string name, string metric)
    {
        var stack = Samples.WithDeletes;
        var alarm = stack.Properties(name);

        // MetricsWriter.WriteReconcile: METRICS_NAMESPACE, one dimension SourceRegion = the stack's region.
        Assert.Equal((string)stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["METRICS_NAMESPACE"]!, (string)alarm["Namespace"]!);
        Assert.Equal(metric, (string)alarm["MetricName"]!);
        var dimension = Assert.Single(alarm["Dimensions"]!.AsArray())!;
        Assert.Equal((MetricsWriter.ReconcileDimensionName, IntrinsicEvaluator.Region), ((string)dimension["Name"]!, (string)dimension["Value"]!));
        Assert.Equal(("Sum", "GreaterThanThreshold", "0", "notBreaching"), ((string)alarm["Statistic"]!, (string)alarm["ComparisonOperator"]!, alarm["Threshold"]!.ToString(), (string)alarm["TreatMissingData"]!));
        Assert.Equal(["{Ref:AlarmTopic}"], Samples.Strings(alarm["AlarmActions"]));
        Assert.DoesNotContain(Samples.Options.OfType("AWS::CloudWatch::Alarm"), a => a.Key == name);
    }
}
