using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Replication;
using Replicator.Function.Observability;
using Replicator.Function.Tests.Support;
using Replicator.Testing;

namespace Replicator.Function.Tests.Observability;

/// <summary>
/// Metric names are a contract with the operator's dashboards and alarms: every name the function writes is documented
/// where an operator looks for it, the function's README ("Metrics") and docs/deploy.md (its metric list).
/// </summary>
public sealed class MetricDocumentationTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 4, 0, 10, TimeSpan.Zero);

    [Fact]
    public void Every_metric_the_function_writes_is_in_the_function_README_Metrics_section()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "Replicator.Function", "README.md"));
        var section = Between(readme, "\n## Metrics\n", "\n## ");

        Assert.NotEmpty(WrittenMetricNames());
        Assert.All(WrittenMetricNames(), name => Assert.True(section.Contains($"`{name}`", StringComparison.Ordinal), $"{name} is not in the README's Metrics section"));
    }

    [Fact]
    public void Every_metric_the_function_writes_is_in_the_deploy_guide_metric_list()
    {
        var deploy = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "docs", "deploy.md"));
        var list = Between(deploy, "Metrics (embedded metric format", "The dashboard `ecr-replicator-");

        Assert.NotEmpty(WrittenMetricNames());
        Assert.All(WrittenMetricNames(), name => Assert.True(list.Contains($"`{name}`", StringComparison.Ordinal), $"{name} is not in docs/deploy.md's metric list"));
    }

    [Fact]
    public void The_scan_sees_every_kind_of_metric_line()
    {
        var names = WrittenMetricNames();

        // Per destination (both outcome-only metrics), the replicated event's failure, and the reconcile run.
        Assert.Contains("ReplicationLatency", names);
        Assert.Contains(MetricsWriter.FailedEventAgeMetric, names);
        Assert.Contains("ReplicatedEventsFailed", names);
        Assert.Contains(MetricsWriter.DriftConflictsMetric, names);
    }

    /// <summary>
    /// Every metric name in the EMF directives of every kind of line: a Replicated and a Failed destination (between
    /// them every per-destination metric, ReplicationLatency and FailedEventAgeMs being written for one outcome each),
    /// a replicated event given up, and a reconcile run.
    /// </summary>
    private static SortedSet<string> WrittenMetricNames()
    {
        var output = new StringWriter();
        var writer = new MetricsWriter(new OutputSink(output), "Test/Ns", new FakeTimeProvider(Now));
        var destination = new ReplicationDestination("us-west-2", "111111111111");
        foreach (var outcome in Enum.GetValues<ReplicationOutcome>())
        {
            writer.Write(new DestinationResult(destination, outcome, "sha256:x", 1, 1, 1, TimeSpan.FromSeconds(1)), Now.AddSeconds(-3));
        }

        writer.WriteReplicatedEventFailed("us-west-2");
        writer.WriteReconcile("us-east-1", 1, 1, 1, 1, 1);

        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            foreach (var directive in document.RootElement.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray())
            {
                foreach (var metric in directive.GetProperty("Metrics").EnumerateArray())
                {
                    names.Add(metric.GetProperty("Name").GetString()!);
                }
            }
        }

        return names;
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal);
        Assert.True(from >= 0, $"\"{start.Trim()}\" not found");
        var to = text.IndexOf(end, from + start.Length, StringComparison.Ordinal);
        return to < 0 ? text[from..] : text[from..to];
    }
}
