using System.Text.Json.Nodes;
using Replicator.Function.Observability;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// Replication lag is visible: a dashboard of latency, throughput, failures, queues, the intake and the reconciler's
/// drift, and a p99 latency alarm.
/// </summary>
public sealed class DashboardTests
{
    /// <summary>A namespace other than the default, so a widget that hard-codes EcrReplicator shows up.</summary>
    private const string CustomNamespace = "Platform/Replication";

    private static readonly Lazy<DeployedTemplate> CustomNamespaceStack = new(() => StackTemplate.Expand(
        new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "team/*",
            ["DestinationRegions"] = "us-west-2",
            ["MetricsNamespace"] = CustomNamespace,
        }));

    private static JsonObject Body(DeployedTemplate stack)
    {
        var (_, dashboard) = Assert.Single(stack.OfType("AWS::CloudWatch::Dashboard"));
        return JsonNode.Parse((string)dashboard["Properties"]!["DashboardBody"]!)!.AsObject();
    }

    [Fact]
    public void The_same_stack_in_two_source_regions_names_two_dashboards()
    {
        // Dashboard names are global to the account, and samconfig.toml gives every region the stack name
        // ecr-replicator: a second region's stack with the first one's dashboard name would fail to create.
        var parameters = new Dictionary<string, string> { ["RepositoryFilter"] = "team/*", ["DestinationRegions"] = "us-west-2" };
        string Name(string region)
        {
            var (_, dashboard) = Assert.Single(StackTemplate.Expand(parameters, region).OfType("AWS::CloudWatch::Dashboard"));
            return (string)dashboard["Properties"]!["DashboardName"]!;
        }

        var (east, west) = (Name("us-east-1"), Name("eu-west-1"));

        Assert.NotEqual(east, west);
        Assert.Equal($"ecr-replicator-{IntrinsicEvaluator.StackName}-eu-west-1", west);
        // Letters, digits, '-' and '_' only (PutDashboard's DashboardName).
        Assert.Matches("^[A-Za-z0-9_-]{1,255}$", east);
    }

    [Fact]
    public void The_dashboard_shows_latency_percentiles_throughput_failures_dead_letters_and_queue_age()
    {
        var widgets = Body(Samples.WithDeletes)["widgets"]!.AsArray();
        var lines = widgets.SelectMany(w => w!["properties"]!["metrics"]!.AsArray()).Select(l => l!.AsArray()).ToList();
        var expressions = lines.Where(l => l[0] is JsonObject).Select(l => (string?)l[0]!["expression"]).OfType<string>().ToList();
        var plain = lines.Where(l => l[0] is JsonValue).Select(l => string.Join(' ', l.Take(4).OfType<JsonValue>().Select(v => (string)v!))).ToList();

        Assert.Contains("SEARCH('{\"EcrReplicator\",DestinationRegion} MetricName=\"ReplicationLatency\"', 'p50', 300)", expressions);
        Assert.Contains("SEARCH('{\"EcrReplicator\",DestinationRegion} MetricName=\"ReplicationLatency\"', 'p99', 300)", expressions);
        Assert.Contains("SEARCH('{\"EcrReplicator\",DestinationRegion} MetricName=\"BytesCopied\"', 'Sum', 300)", expressions);
        Assert.Contains("SEARCH('{\"EcrReplicator\",DestinationRegion} MetricName=\"ReplicationFailures\"', 'Sum', 300)", expressions);
        Assert.Contains("AWS/SQS ApproximateNumberOfMessagesVisible QueueName {GetAtt:DeadLetterQueue.QueueName}", plain);
        Assert.Contains("AWS/SQS ApproximateAgeOfOldestMessage QueueName {GetAtt:ReplicationQueue.QueueName}", plain);
        Assert.All(widgets, w => Assert.Equal("us-east-1", (string)w!["properties"]!["region"]!));
    }

    [Fact]
    public void Drift_widget_graphs_every_reconcile_metric_in_the_namespace_and_dimension_the_function_writes()
    {
        var stack = CustomNamespaceStack.Value;
        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        Assert.Equal(CustomNamespace, (string)variables["METRICS_NAMESPACE"]!);

        var drift = Lines(Body(stack))
            .Where(l => l.Line.Count > 1 && l.Line[1] is JsonValue name
                && (string)name! is MetricsWriter.DriftFoundMetric or MetricsWriter.DriftEnqueuedMetric or MetricsWriter.ReconcileFailuresMetric or MetricsWriter.ReconcileRefusedMetric or MetricsWriter.DriftConflictsMetric)
            .ToList();

        Assert.Equal(
            [MetricsWriter.DriftConflictsMetric, MetricsWriter.DriftEnqueuedMetric, MetricsWriter.DriftFoundMetric, MetricsWriter.ReconcileFailuresMetric, MetricsWriter.ReconcileRefusedMetric],
            drift.Select(l => (string)l.Line[1]!).Order(StringComparer.Ordinal));
        // One widget, so found and enqueued are read against each other, and against the run's failures.
        Assert.Single(drift.Select(l => l.Widget).Distinct());
        Assert.All(drift, l =>
        {
            // MetricsWriter.WriteReconcile: the METRICS_NAMESPACE, one dimension set of SourceRegion = AWS_REGION, the
            // stack's region. A metric line with another namespace or an extra dimension matches nothing.
            Assert.Equal(5, l.Line.Count);
            Assert.Equal((string)variables["METRICS_NAMESPACE"]!, (string)l.Line[0]!);
            Assert.Equal(MetricsWriter.ReconcileDimensionName, (string)l.Line[2]!);
            Assert.Equal(IntrinsicEvaluator.Region, (string)l.Line[3]!);
            // One data point per run: the sum per period is the run's count, never an average across runs.
            Assert.Equal("Sum", (string)l.Line[4]!["stat"]!);
        });
    }

    [Fact]
    public void Intake_widgets_graph_the_depth_of_the_intake_dead_letter_queue_and_the_age_of_the_pipe_source()
    {
        var stack = Samples.WithDeletes;
        // The queues as the stack wires them, not as named here: the pipe's source, and where that queue redrives.
        var intake = ResourceOf((string)stack.Properties("IntakePipe")["Source"]!, ".Arn");
        var intakeDeadLetters = ResourceOf((string)stack.Properties(intake)["RedrivePolicy"]!["deadLetterTargetArn"]!, ".Arn");
        Assert.Equal(("IntakeQueue", "IntakeDeadLetterQueue"), (intake, intakeDeadLetters));

        var lines = Lines(Body(stack)).Where(l => l.Line[0] is JsonValue ns && (string)ns! == "AWS/SQS").ToList();
        string[] QueuesOf(string metric) => [.. lines.Where(l => (string)l.Line[1]! == metric).Select(l => Dimension(l.Line, "QueueName"))];

        // Exactly these queues: a widget pointed at another queue (or removed) changes the list.
        Assert.Equal(
            ["{GetAtt:DeadLetterQueue.QueueName}", $"{{GetAtt:{intakeDeadLetters}.QueueName}}"],
            QueuesOf("ApproximateNumberOfMessagesVisible").Order(StringComparer.Ordinal));
        Assert.Equal(
            [$"{{GetAtt:{intake}.QueueName}}", "{GetAtt:ReplicationQueue.QueueName}"],
            QueuesOf("ApproximateAgeOfOldestMessage").Order(StringComparer.Ordinal));
        // Maximum, as the alarms on the same metrics (IntakeDeadLetterQueueNotEmptyAlarm, IntakeOldestMessageAgeAlarm).
        Assert.All(lines, l => Assert.Equal("Maximum", (string)l.Line[4]!["stat"]!));
        // Each queue has a widget of its own, so a title names one queue.
        Assert.Equal(lines.Count, lines.Select(l => l.Widget).Distinct().Count());
    }

    [Fact]
    public void Widgets_fit_the_24_column_grid_without_overlapping()
    {
        var boxes = Body(Samples.WithDeletes)["widgets"]!.AsArray()
            .Select(w => (X: (int)w!["x"]!, Y: (int)w["y"]!, W: (int)w["width"]!, H: (int)w["height"]!))
            .ToList();

        Assert.NotEmpty(boxes);
        Assert.All(boxes, b => Assert.InRange(b.X + b.W, 1, 24));
        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i], boxes[j]);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"widgets {i} and {j} overlap: {a} and {b}");
            }
        }
    }

    [Fact]
    public void Each_destination_region_has_a_p99_latency_alarm_at_the_parameter()
    {
        var alarms = Samples.WithDeletes.OfType("AWS::CloudWatch::Alarm")
            .Where(a => (string?)a.Value["Properties"]!["MetricName"] == "ReplicationLatency" && a.Value["Properties"]!["Dimensions"] is not null)
            .Select(a => a.Value["Properties"]!.AsObject())
            .ToList();

        Assert.Equal(Samples.Destinations.Order(), alarms.Select(a => (string)a["Dimensions"]![0]!["Value"]!).Order());
        Assert.All(alarms, a =>
        {
            Assert.Equal("EcrReplicator", (string)a["Namespace"]!);
            Assert.Equal("DestinationRegion", (string)a["Dimensions"]![0]!["Name"]!);
            Assert.Equal("p99", (string)a["ExtendedStatistic"]!);
            Assert.Equal(900, double.Parse(a["Threshold"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal("{Ref:AlarmTopic}", (string)a["AlarmActions"]![0]!);
        });
    }

    [Fact]
    public void One_p99_latency_alarm_watches_every_destination_through_the_metric_written_without_a_dimension()
    {
        // Other accounts and partitions get no per-region alarm (the ForEach runs over DestinationRegions only).
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = "222222222222:eu-west-1",
            ["MetricsNamespace"] = CustomNamespace,
            ["LatencyP99AlarmSeconds"] = "600",
        });
        var latencyAlarms = stack.OfType("AWS::CloudWatch::Alarm")
            .Where(a => (string?)a.Value["Properties"]!["MetricName"] == MetricsWriter.AggregatedLatencyMetric)
            .ToList();
        var (name, alarm) = Assert.Single(latencyAlarms, a => a.Value["Properties"]!["Dimensions"] is null);
        Assert.Equal("LatencyAlarmAllDestinations", name);
        var properties = alarm["Properties"]!;
        Assert.Equal(CustomNamespace, (string)properties["Namespace"]!);
        Assert.Equal("p99", (string)properties["ExtendedStatistic"]!);
        Assert.Equal(600, double.Parse(properties["Threshold"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Null(properties["AlarmActions"]);

        // The dashboard draws the same series next to the per-region ones.
        var line = Assert.Single(Lines(Body(stack)), l => l.Line[0] is JsonValue ns && (string)ns! == CustomNamespace && (string)l.Line[1]! == MetricsWriter.AggregatedLatencyMetric);
        Assert.Equal(3, line.Line.Count);
        Assert.Equal("p99", (string)line.Line[2]!["stat"]!);
    }

    [Fact]
    public void One_slow_fifteen_minute_period_is_enough_for_a_latency_alarm()
    {
        // Sparse traffic: most periods have no copy, and missing data is not breaching, so an alarm that needs several
        // breaching periods in a row never fires. One period of 15 minutes, as LatencyP99AlarmSeconds says.
        var alarms = Samples.WithDeletes.OfType("AWS::CloudWatch::Alarm")
            .Where(a => (string?)a.Value["Properties"]!["MetricName"] == MetricsWriter.AggregatedLatencyMetric)
            .Select(a => a.Value["Properties"]!.AsObject())
            .ToList();

        Assert.Equal(Samples.Destinations.Length + 1, alarms.Count);
        Assert.All(alarms, a =>
        {
            Assert.Equal(900, (int)a["Period"]!);
            var datapoints = a["DatapointsToAlarm"] is { } given ? (int)given : (int)a["EvaluationPeriods"]!;
            Assert.Equal(1, datapoints);
            Assert.Equal("notBreaching", (string)a["TreatMissingData"]!);
        });
        Assert.Contains("15-minute period", (string)StackTemplate.Raw["Parameters"]!["LatencyP99AlarmSeconds"]!["Description"]!, StringComparison.Ordinal);
    }

    /// <summary>
    /// A destination that refuses every copy writes no ReplicationLatency (only Replicated does), so the latency alarms
    /// see no data. FailedEventAgeMs, written only on Failed lines, is the age of a failed copy's event: its Maximum past
    /// OldestMessageAlarmSeconds is a stall, per region and over every destination (the series the function writes
    /// without a dimension). No other metric takes part: ReplicationLagMs, written for every outcome, would let the age
    /// of an old event copied or found in place (a backfill, a redrive) set the alarm off with any failure beside it.
    /// </summary>
    [Fact]
    public void A_destination_refusing_every_copy_raises_a_stall_alarm_per_region_and_over_all_destinations()
    {
        var stack = Samples.WithDeletes;
        var stalls = stack.OfType("AWS::CloudWatch::Alarm")
            .Where(a => a.Key.StartsWith("StallAlarm", StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value["Properties"]!.AsObject());

        Assert.Equal(["StallAlarmAllDestinations", "StallAlarmeuwest1", "StallAlarmuswest2"], stalls.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, alarm) in stalls)
        {
            var region = name == "StallAlarmAllDestinations" ? null : Samples.Destinations.Single(d => name == "StallAlarm" + d.Replace("-", "", StringComparison.Ordinal));
            var metrics = alarm["Metrics"]!.AsArray().Select(m => m!.AsObject()).ToList();

            // One metric, its Maximum, and the same metric in seconds for the threshold: nothing gates or mixes it.
            var stat = Assert.Single(metrics, m => m["MetricStat"] is not null);
            var metric = stat["MetricStat"]!["Metric"]!;
            Assert.Equal((MetricsWriter.FailedEventAgeMetric, "Maximum"), ((string)metric["MetricName"]!, (string)stat["MetricStat"]!["Stat"]!));
            Assert.Equal("EcrReplicator", (string)metric["Namespace"]!);
            // Per region: the dimension the function writes; over all destinations: the empty dimension set.
            string[] dimensions = [.. metric["Dimensions"]?.AsArray().Select(d => $"{(string)d!["Name"]!}={(string)d["Value"]!}") ?? []];
            Assert.Equal(region is null ? [] : [$"{MetricsWriter.DimensionName}={region}"], dimensions);
            Assert.Equal(900, (int)stat["MetricStat"]!["Period"]!);
            Assert.False((bool)stat["ReturnData"]!);

            var expression = Assert.Single(metrics, m => m["Expression"] is not null);
            Assert.Equal($"{(string)stat["Id"]!} / 1000", (string)expression["Expression"]!);
            Assert.True((bool)expression["ReturnData"]!);
            Assert.Equal(2, metrics.Count);
            Assert.Equal("3600", alarm["Threshold"]!.ToString());
            Assert.Equal("GreaterThanThreshold", (string)alarm["ComparisonOperator"]!);
            Assert.Equal((2, 1), ((int)alarm["EvaluationPeriods"]!, (int)alarm["DatapointsToAlarm"]!));
            Assert.Equal("notBreaching", (string)alarm["TreatMissingData"]!);
            Assert.Equal("{Ref:AlarmTopic}", (string)alarm["AlarmActions"]![0]!);
        }

        // The dashboard draws the age of every event and of the failed ones next to the failures.
        var widgets = new List<int>();
        foreach (var name in new[] { MetricsWriter.AggregatedLagMetric, MetricsWriter.FailedEventAgeMetric })
        {
            var line = Assert.Single(Lines(Body(stack)), l => l.Line[0] is JsonObject e && ((string?)e["expression"])?.Contains($"MetricName=\"{name}\"", StringComparison.Ordinal) == true);
            Assert.Equal($"SEARCH('{{\"EcrReplicator\",DestinationRegion}} MetricName=\"{name}\"', 'Maximum', 300) / 1000", (string)line.Line[0]!["expression"]!);
            widgets.Add(line.Widget);
        }

        var failures = Assert.Single(Lines(Body(stack)), l => l.Line[0] is JsonObject e && ((string?)e["expression"])?.Contains("MetricName=\"ReplicationFailures\"", StringComparison.Ordinal) == true);
        Assert.All(widgets, w => Assert.Equal(failures.Widget, w));
    }

    /// <summary>Every metric line of the dashboard with the index of its widget.</summary>
    private static List<(int Widget, JsonArray Line)> Lines(JsonObject body) =>
        [.. body["widgets"]!.AsArray().SelectMany((w, i) => w!["properties"]!["metrics"]!.AsArray().Select(l => (i, l!.AsArray())))];

    /// <summary>The value of dimension <paramref name="name"/> of a plain metric line [namespace, metric, name, value, ..., options].</summary>
    private static string Dimension(JsonArray line, string name)
    {
        for (var i = 2; i + 1 < line.Count && line[i] is JsonValue; i += 2)
        {
            if ((string)line[i]! == name)
            {
                return (string)line[i + 1]!;
            }
        }

        throw new KeyNotFoundException($"dimension {name} not in {line.ToJsonString()}");
    }

    /// <summary>"IntakeQueue" from "{GetAtt:IntakeQueue.Arn}".</summary>
    private static string ResourceOf(string getAtt, string attribute)
    {
        Assert.StartsWith("{GetAtt:", getAtt, StringComparison.Ordinal);
        Assert.EndsWith(attribute + "}", getAtt, StringComparison.Ordinal);
        return getAtt["{GetAtt:".Length..^(attribute.Length + 1)];
    }
}
