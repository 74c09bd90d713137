using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>Replication lag is visible: a dashboard of latency, throughput, failures and queues, and a p99 latency alarm.</summary>
public sealed class DashboardTests
{
    private static JsonObject Body(DeployedTemplate stack)
    {
        var (_, dashboard) = Assert.Single(stack.OfType("AWS::CloudWatch::Dashboard"));
        return JsonNode.Parse((string)dashboard["Properties"]!["DashboardBody"]!)!.AsObject();
    }

    [Fact]
    public void The_dashboard_shows_latency_percentiles_throughput_failures_dead_letters_and_queue_age()
    {
        var widgets = Body(Samples.WithDeletes)["widgets"]!.AsArray();
        var lines = widgets.SelectMany(w => w!["properties"]!["metrics"]!.AsArray()).Select(l => l!.AsArray()).ToList();
        var expressions = lines.Where(l => l[0] is JsonObject).Select(l => (string?)l[0]!["expression"]).OfType<string>().ToList();
        var plain = lines.Where(l => l[0] is JsonValue).Select(l => string.Join(' ', l.Take(4).Select(v => (string)v!))).ToList();

        Assert.Contains("SEARCH('{EcrReplicator,DestinationRegion} MetricName=\"ReplicationLatency\"', 'p50', 300)", expressions);
        Assert.Contains("SEARCH('{EcrReplicator,DestinationRegion} MetricName=\"ReplicationLatency\"', 'p99', 300)", expressions);
        Assert.Contains("SEARCH('{EcrReplicator,DestinationRegion} MetricName=\"BytesCopied\"', 'Sum', 300)", expressions);
        Assert.Contains("SEARCH('{EcrReplicator,DestinationRegion} MetricName=\"ReplicationFailures\"', 'Sum', 300)", expressions);
        Assert.Contains("AWS/SQS ApproximateNumberOfMessagesVisible QueueName {GetAtt:DeadLetterQueue.QueueName}", plain);
        Assert.Contains("AWS/SQS ApproximateAgeOfOldestMessage QueueName {GetAtt:ReplicationQueue.QueueName}", plain);
        Assert.All(widgets, w => Assert.Equal("us-east-1", (string)w!["properties"]!["region"]!));
    }

    [Fact]
    public void Each_destination_region_has_a_p99_latency_alarm_at_the_parameter()
    {
        var alarms = Samples.WithDeletes.OfType("AWS::CloudWatch::Alarm")
            .Where(a => (string?)a.Value["Properties"]!["MetricName"] == "ReplicationLatency")
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
}
