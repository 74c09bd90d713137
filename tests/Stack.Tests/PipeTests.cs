using System.Text.Json;
using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class PipeTests
{
    private static readonly DeployedTemplate Stack = Samples.WithDeletes;

    [Fact]
    public void The_pipe_moves_the_intake_queue_into_the_fifo_queue_with_one_message_group_per_repository()
    {
        var pipe = Stack.Properties("IntakePipe");
        var target = pipe["TargetParameters"]!;

        Assert.Equal("{GetAtt:IntakeQueue.Arn}", (string)pipe["Source"]!);
        Assert.Equal("{GetAtt:ReplicationQueue.Arn}", (string)pipe["Target"]!);
        Assert.Equal("{GetAtt:IntakePipeRole.Arn}", (string)pipe["RoleArn"]!);
        // A JSON path, resolved per event, not a constant: the repository of each event is its message group.
        Assert.Equal("$.body.detail.repository-name", (string)target["SqsQueueParameters"]!["MessageGroupId"]!);
        Assert.Equal("$.body.id", (string)target["SqsQueueParameters"]!["MessageDeduplicationId"]!);
        Assert.InRange((int)pipe["SourceParameters"]!["SqsQueueParameters"]!["BatchSize"]!, 1, 10);
        Assert.Null(pipe["SourceParameters"]!["FilterCriteria"]);
    }

    /// <summary>
    /// The files in events/ show what the function receives from the queue, so each record's MessageGroupId is what the
    /// pipe sets: its JSON path evaluated on the record's body (a body that is not JSON never comes through the pipe).
    /// </summary>
    [Fact]
    public void Each_sample_event_has_the_message_group_the_pipe_gives_its_body()
    {
        var path = (string)Stack.Properties("IntakePipe")["TargetParameters"]!["SqsQueueParameters"]!["MessageGroupId"]!;
        Assert.StartsWith("$.body.", path, StringComparison.Ordinal);
        var checkedRecords = 0;
        foreach (var file in Directory.EnumerateFiles(RepositoryRoot.File("events"), "*.json").Order(StringComparer.Ordinal))
        {
            var records = JsonNode.Parse(File.ReadAllText(file))!["Records"]?.AsArray() ?? [];
            foreach (var record in records)
            {
                JsonNode? body;
                try
                {
                    body = JsonNode.Parse((string)record!["body"]!);
                }
                catch (JsonException)
                {
                    continue;
                }

                var group = path["$.body.".Length..].Split('.').Aggregate(body, (node, member) => node?[member]);
                Assert.True(group is not null, $"{Path.GetFileName(file)}: {path} is missing from a record's body");
                Assert.Equal((string)group!, (string)record["attributes"]!["MessageGroupId"]!);
                checkedRecords++;
            }
        }

        Assert.True(checkedRecords >= 12, $"only {checkedRecords} sample records checked");
    }

    [Fact]
    public void The_function_receives_the_eventbridge_event_itself_as_the_message_body()
    {
        // Without an input template a pipe would send the whole SQS record (messageId, receiptHandle, body...).
        Assert.Equal("<$.body>", (string)Stack.Properties("IntakePipe")["TargetParameters"]!["InputTemplate"]!);
    }

    [Fact]
    public void The_pipe_role_reads_the_intake_queue_sends_to_the_fifo_queue_and_nothing_else()
    {
        var role = Stack.Properties("IntakePipeRole");
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;
        var statements = role["Policies"]!.AsArray().SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!)).ToList();

        Assert.Equal("pipes.amazonaws.com", (string)trust["Principal"]!["Service"]!);
        Assert.Equal(IntrinsicEvaluator.AccountId, (string)trust["Condition"]!["StringEquals"]!["aws:SourceAccount"]!);
        Assert.All(statements, s => Assert.Equal("Allow", s.Effect));
        Assert.Equal(
            ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:SendMessage"],
            statements.SelectMany(s => s.Actions).Order(StringComparer.Ordinal));
        Assert.Equal(["{GetAtt:IntakeQueue.Arn}"], statements.Single(s => s.Actions.Contains("sqs:ReceiveMessage")).Resources);
        Assert.Equal(["{GetAtt:ReplicationQueue.Arn}"], statements.Single(s => s.Actions.Contains("sqs:SendMessage")).Resources);
        Assert.Equal(["{GetAtt:IntakePipeLogGroup.Arn}"], statements.Single(s => s.Actions.Contains("logs:PutLogEvents")).Resources);
    }

    [Fact]
    public void Pipe_failures_log_errors_and_raise_an_alarm()
    {
        var pipe = Stack.Properties("IntakePipe");
        var alarm = Stack.Properties("IntakePipeFailuresAlarm");

        Assert.Equal("ERROR", (string)pipe["LogConfiguration"]!["Level"]!);
        Assert.Equal("{GetAtt:IntakePipeLogGroup.Arn}", (string)pipe["LogConfiguration"]!["CloudwatchLogsLogDestination"]!["LogGroupArn"]!);
        // A partly failed execution leaves events behind too (EventBridge Pipes metrics): the alarm sums both.
        var metrics = alarm["Metrics"]!.AsArray().Select(m => m!.AsObject()).ToList();
        var stats = metrics.Where(m => m["MetricStat"] is not null).ToList();
        Assert.Equal(["ExecutionFailed", "ExecutionPartiallyFailed"], stats.Select(m => (string)m["MetricStat"]!["Metric"]!["MetricName"]!).Order(StringComparer.Ordinal));
        Assert.All(stats, m =>
        {
            Assert.Equal("AWS/EventBridge/Pipes", (string)m["MetricStat"]!["Metric"]!["Namespace"]!);
            Assert.Equal("{Ref:IntakePipe}", (string)Assert.Single(m["MetricStat"]!["Metric"]!["Dimensions"]!.AsArray())!["Value"]!);
            Assert.Equal("Sum", (string)m["MetricStat"]!["Stat"]!);
        });
        var sum = Assert.Single(metrics, m => m["Expression"] is not null);
        Assert.Equal($"SUM([{string.Join(", ", stats.Select(m => (string)m["Id"]!))}])", (string)sum["Expression"]!);
        Assert.Equal(0, (int)alarm["Threshold"]!);
    }

    [Fact]
    public void Intake_dead_letter_and_intake_age_raise_alarms()
    {
        var dlq = Stack.Properties("IntakeDeadLetterQueueNotEmptyAlarm");
        var age = Stack.Properties("IntakeOldestMessageAgeAlarm");

        Assert.Equal("{GetAtt:IntakeDeadLetterQueue.QueueName}", (string)Assert.Single(dlq["Dimensions"]!.AsArray())!["Value"]!);
        Assert.Equal("ApproximateNumberOfMessagesVisible", (string)dlq["MetricName"]!);
        Assert.Equal("{GetAtt:IntakeQueue.QueueName}", (string)Assert.Single(age["Dimensions"]!.AsArray())!["Value"]!);
        Assert.Equal("ApproximateAgeOfOldestMessage", (string)age["MetricName"]!);
    }
}
