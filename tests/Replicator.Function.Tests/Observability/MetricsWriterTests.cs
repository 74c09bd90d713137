using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Replication;
using Replicator.Function.Observability;

namespace Replicator.Function.Tests.Observability;

public class MetricsWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 4, 0, 10, TimeSpan.Zero);

    private static JsonElement Write(ReplicationOutcome outcome, DateTimeOffset? eventTime, DateTimeOffset? completedAt = null)
    {
        var output = new StringWriter();
        var writer = new MetricsWriter(new OutputSink(output), "Test/Ns", new FakeTimeProvider(Now));
        writer.Write(new DestinationResult(new ReplicationDestination("us-west-2", "111111111111"), outcome, "sha256:x", 4, 2, 1024, TimeSpan.FromMilliseconds(1500)) { CompletedAt = completedAt }, eventTime);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return JsonDocument.Parse(Assert.Single(lines)).RootElement;
    }

    [Fact]
    public void Emf_line_declares_namespace_dimension_and_every_metric_it_carries()
    {
        var line = Write(ReplicationOutcome.Replicated, Now.AddSeconds(-3));
        var aws = line.GetProperty("_aws");
        Assert.Equal(Now.ToUnixTimeMilliseconds(), aws.GetProperty("Timestamp").GetInt64());
        var directive = aws.GetProperty("CloudWatchMetrics")[0];
        Assert.Equal("Test/Ns", directive.GetProperty("Namespace").GetString());
        var dimensionSet = Assert.Single(directive.GetProperty("Dimensions").EnumerateArray().ToArray());
        Assert.Equal(["DestinationRegion"], dimensionSet.EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("us-west-2", line.GetProperty("DestinationRegion").GetString());

        var metrics = directive.GetProperty("Metrics").EnumerateArray().ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());
        foreach (var name in new[] { "ImagesReplicated", "ImagesSkipped", "ReplicationFailures", "BytesCopied", "LayersCopied", "LayersSkipped", "ReplicationDurationMs", "ReplicationLagMs" })
        {
            Assert.True(metrics.ContainsKey(name), name);
            Assert.Equal(JsonValueKind.Number, line.GetProperty(name).ValueKind);
        }

        Assert.Equal("Bytes", metrics["BytesCopied"]);
        Assert.Equal("Milliseconds", metrics["ReplicationLagMs"]);
        Assert.Equal(1, line.GetProperty("ImagesReplicated").GetInt32());
        Assert.Equal(0, line.GetProperty("ReplicationFailures").GetInt32());
        Assert.Equal(1024, line.GetProperty("BytesCopied").GetInt64());
        Assert.Equal(4, line.GetProperty("LayersCopied").GetInt32());
        Assert.Equal(2, line.GetProperty("LayersSkipped").GetInt32());
        Assert.Equal(1500, line.GetProperty("ReplicationDurationMs").GetInt64());
        Assert.Equal(3000, line.GetProperty("ReplicationLagMs").GetInt64());
    }

    [Fact]
    public void Latency_is_also_published_without_a_dimension_so_one_alarm_covers_every_destination()
    {
        var line = Write(ReplicationOutcome.Replicated, Now.AddSeconds(-3));
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        Assert.Equal(2, directives.Length);
        var aggregate = directives[1];
        Assert.Equal("Test/Ns", aggregate.GetProperty("Namespace").GetString());
        Assert.Equal(0, Assert.Single(aggregate.GetProperty("Dimensions").EnumerateArray().ToArray()).GetArrayLength());
        Assert.Equal(
            [("ReplicationFailures", "Count"), ("ReplicationLagMs", "Milliseconds"), ("ReplicationLatency", "Seconds")],
            aggregate.GetProperty("Metrics").EnumerateArray().Select(m => (m.GetProperty("Name").GetString(), m.GetProperty("Unit").GetString())).Order());
        Assert.Equal(3, line.GetProperty("ReplicationLatency").GetDouble());
    }

    /// <summary>
    /// A destination that refuses every copy writes no ReplicationLatency, but its lag (the event's age) and the failure
    /// are published under the empty dimension set too, and a failed copy its FailedEventAgeMs, so the stall alarm over
    /// all destinations sees the age of failing events grow.
    /// </summary>
    [Theory]
    [InlineData(ReplicationOutcome.Failed)]
    [InlineData(ReplicationOutcome.Archived)]
    public void Without_a_latency_the_undimensioned_directive_carries_the_lag_and_the_failure_count(ReplicationOutcome outcome)
    {
        var line = Write(outcome, Now.AddSeconds(-3));
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        Assert.Equal(2, directives.Length);
        Assert.Equal(["DestinationRegion"], Assert.Single(directives[0].GetProperty("Dimensions").EnumerateArray().ToArray()).EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(0, Assert.Single(directives[1].GetProperty("Dimensions").EnumerateArray().ToArray()).GetArrayLength());
        Assert.Equal(
            outcome == ReplicationOutcome.Failed ? ["FailedEventAgeMs", "ReplicationFailures", "ReplicationLagMs"] : ["ReplicationFailures", "ReplicationLagMs"],
            directives[1].GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(3000, line.GetProperty("ReplicationLagMs").GetDouble());
        Assert.Equal(outcome == ReplicationOutcome.Failed ? 1 : 0, line.GetProperty("ReplicationFailures").GetInt32());
        Assert.False(line.TryGetProperty("ReplicationLatency", out _));
    }

    /// <summary>
    /// The stall alarms watch FailedEventAgeMs. An old event that is copied or found in place (a reconcile pass's
    /// backfill, whose <c>time</c> is the run's start; a redrive from the dead-letter queue) must not carry it, or one
    /// unrelated failure in the same period would turn its age into a stall; a failed copy carries it in both dimension
    /// sets, the region's and the empty one.
    /// </summary>
    [Theory]
    [InlineData(ReplicationOutcome.Replicated)]
    [InlineData(ReplicationOutcome.UpToDate)]
    [InlineData(ReplicationOutcome.Skipped)]
    [InlineData(ReplicationOutcome.Archived)]
    [InlineData(ReplicationOutcome.Deleted)]
    public void Only_a_failed_copy_writes_the_age_of_its_event_as_FailedEventAgeMs(ReplicationOutcome outcome)
    {
        static string[] Declared(JsonElement directive) =>
            [.. directive.GetProperty("Metrics").EnumerateArray().Where(m => m.GetProperty("Name").GetString() == MetricsWriter.FailedEventAgeMetric).Select(m => m.GetProperty("Unit").GetString()!)];

        var old = Write(outcome, Now.AddHours(-2), completedAt: Now);
        Assert.False(old.TryGetProperty(MetricsWriter.FailedEventAgeMetric, out _));
        Assert.NotEmpty(old.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.All(old.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray(), d => Assert.Empty(Declared(d)));
        Assert.Equal(7_200_000, old.GetProperty("ReplicationLagMs").GetInt64());

        var failed = Write(ReplicationOutcome.Failed, Now.AddHours(-2));
        Assert.Equal(7_200_000, failed.GetProperty(MetricsWriter.FailedEventAgeMetric).GetInt64());
        var directives = failed.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        Assert.Equal(2, directives.Length);
        Assert.Equal([MetricsWriter.DimensionName], directives[0].GetProperty("Dimensions")[0].EnumerateArray().Select(d => d.GetString()!));
        Assert.Equal(0, directives[1].GetProperty("Dimensions")[0].GetArrayLength());
        Assert.All(directives, d => Assert.Equal(["Milliseconds"], Declared(d)));
    }

    [Fact]
    public void A_failed_copy_without_an_event_time_has_no_FailedEventAgeMs()
    {
        var line = Write(ReplicationOutcome.Failed, null);
        Assert.False(line.TryGetProperty(MetricsWriter.FailedEventAgeMetric, out _));
        Assert.Equal(1, line.GetProperty("ReplicationFailures").GetInt32());
    }

    [Fact]
    public void Every_directive_stays_within_the_embedded_metric_format_limit_of_100_metrics()
    {
        // The specification allows at most 100 metric definitions in one directive's Metrics array
        // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
        var line = Write(ReplicationOutcome.Failed, Now.AddSeconds(-3));
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        // The per-region directive and the aggregated one: with none, the bound below would hold of nothing.
        Assert.Equal(2, directives.Length);
        Assert.All(directives, d => Assert.InRange(d.GetProperty("Metrics").GetArrayLength(), 1, 100));
    }

    [Theory]
    [InlineData(ReplicationOutcome.UpToDate, "ImagesSkipped")]
    [InlineData(ReplicationOutcome.Skipped, "ImagesSkipped")]
    [InlineData(ReplicationOutcome.Failed, "ReplicationFailures")]
    [InlineData(ReplicationOutcome.Deleted, "ImagesDeleted")]
    public void The_outcome_counts_in_its_metric(ReplicationOutcome outcome, string metric)
    {
        var line = Write(outcome, null);
        Assert.Equal(1, line.GetProperty(metric).GetInt32());
        Assert.Equal(0, line.GetProperty("ImagesReplicated").GetInt32());
    }

    [Fact]
    public void Replication_latency_runs_in_seconds_from_the_push_to_the_moment_the_destination_held_the_image()
    {
        var line = Write(ReplicationOutcome.Replicated, Now.AddSeconds(-12.5), completedAt: Now.AddSeconds(-2));
        var units = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
            .ToDictionary(m => m.GetProperty("Name").GetString()!, m => m.GetProperty("Unit").GetString());

        Assert.Equal(10.5, line.GetProperty("ReplicationLatency").GetDouble(), 3);
        Assert.Equal(1.5, line.GetProperty("ReplicationDuration").GetDouble(), 3);
        Assert.Equal(1024, line.GetProperty("BytesCopied").GetInt64());
        Assert.Equal("Seconds", units["ReplicationLatency"]);
        Assert.Equal("Seconds", units["ReplicationDuration"]);
        Assert.Equal("us-west-2", line.GetProperty("DestinationRegion").GetString());
    }

    [Theory]
    [InlineData(ReplicationOutcome.Failed)]
    [InlineData(ReplicationOutcome.Skipped)]
    [InlineData(ReplicationOutcome.Archived)]
    [InlineData(ReplicationOutcome.UpToDate)]
    public void A_destination_this_copy_did_not_write_has_no_latency(ReplicationOutcome outcome)
    {
        var line = Write(outcome, Now.AddSeconds(-5), completedAt: Now);
        Assert.False(line.TryGetProperty("ReplicationLatency", out _));
        Assert.Equal(outcome == ReplicationOutcome.Archived ? 1 : 0, line.GetProperty("ImagesArchived").GetInt32());
    }

    [Fact]
    public void A_redelivery_that_finds_the_image_held_adds_no_latency_sample_and_keeps_its_other_figures()
    {
        // Pushed an hour ago, copied then; this delivery is a redrive from the dead-letter queue.
        var line = Write(ReplicationOutcome.UpToDate, Now.AddHours(-1), completedAt: Now);

        Assert.False(line.TryGetProperty("ReplicationLatency", out _));
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        Assert.DoesNotContain(directives.SelectMany(d => d.GetProperty("Metrics").EnumerateArray()), m => m.GetProperty("Name").GetString() == "ReplicationLatency");
        Assert.Equal(1, line.GetProperty("ImagesSkipped").GetInt32());
        Assert.Equal(1.5, line.GetProperty("ReplicationDuration").GetDouble(), 3);
        Assert.Equal(1024, line.GetProperty("BytesCopied").GetInt64());
    }

    [Fact]
    public void Without_an_event_time_there_is_no_lag_metric()
    {
        var line = Write(ReplicationOutcome.Replicated, null);
        Assert.False(line.TryGetProperty("ReplicationLagMs", out _));
        Assert.False(line.TryGetProperty("ReplicationLatency", out _));
        var names = line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray().Select(m => m.GetProperty("Name").GetString());
        Assert.DoesNotContain("ReplicationLagMs", names);
    }

    [Fact]
    public void A_given_up_replicated_event_is_one_ReplicatedEventsFailed_count_of_its_destination_region_and_of_all_destinations()
    {
        var output = new StringWriter();
        new MetricsWriter(new OutputSink(output), "Test/Ns", new FakeTimeProvider(Now)).WriteReplicatedEventFailed("eu-west-1");

        var line = JsonDocument.Parse(Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();

        // One series per region, and one without a dimension that the stack's ReplicatedEventsFailedAlarm watches.
        Assert.Equal(2, directives.Length);
        string[][] dimensionSets = [.. directives.Select(d => d.GetProperty("Dimensions")[0].EnumerateArray().Select(n => n.GetString()!).ToArray())];
        Assert.Equal([[MetricsWriter.DimensionName], []], dimensionSets);
        foreach (var directive in directives)
        {
            Assert.Equal("Test/Ns", directive.GetProperty("Namespace").GetString());
            var metric = Assert.Single(directive.GetProperty("Metrics").EnumerateArray().ToArray());
            Assert.Equal(MetricsWriter.ReplicatedEventsFailedMetric, metric.GetProperty("Name").GetString());
            Assert.Equal("Count", metric.GetProperty("Unit").GetString());
        }

        Assert.Equal(1, line.GetProperty("ReplicatedEventsFailed").GetInt32());
        Assert.Equal("eu-west-1", line.GetProperty("DestinationRegion").GetString());
    }

    /// <summary>
    /// An EMF line has no level, and Lambda gives a JSON line without one the level INFO
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): the metric lines survive
    /// an application log level of INFO or lower, and are dropped only above it, and only for JSON logs (Lambda filters
    /// no plain text). A warning at INFO would tell an operator with working metrics that they have none.
    /// </summary>
    [Theory]
    [InlineData(LogLevel.Trace, LogFormat.Json, false)]
    [InlineData(LogLevel.Debug, LogFormat.Json, false)]
    [InlineData(LogLevel.Info, LogFormat.Json, false)]
    [InlineData(LogLevel.Warn, LogFormat.Json, true)]
    [InlineData(LogLevel.Error, LogFormat.Json, true)]
    [InlineData(LogLevel.Fatal, LogFormat.Json, true)]
    [InlineData(LogLevel.Error, LogFormat.Text, false)]
    public void Only_a_json_log_level_above_info_warns_that_the_metric_lines_are_dropped(LogLevel level, LogFormat format, bool warned)
    {
        var warning = MetricsWriter.FilteredOutWarning(level, format);

        Assert.Equal(warned, warning is not null);
        if (warning is not null)
        {
            Assert.Contains(level.ToString().ToUpperInvariant(), warning, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The event's time is EventBridge's clock, the line's is the function's: a few milliseconds of skew put the event
    /// "in the future". Its lag is then zero, still written, not a negative value that would leave ReplicationLagMs and
    /// FailedEventAgeMs out of the line (a value below zero means "not written") and starve the stall alarms of data.
    /// </summary>
    [Fact]
    public void An_event_time_ahead_of_the_clock_writes_a_lag_of_zero_rather_than_none()
    {
        var line = Write(ReplicationOutcome.Failed, Now.AddMilliseconds(20));

        Assert.Equal(0, line.GetProperty("ReplicationLagMs").GetInt64());
        Assert.Equal(0, line.GetProperty(MetricsWriter.FailedEventAgeMetric).GetInt64());
    }

    /// <summary>
    /// Without an event time there is no lag, latency or event age, but ReplicationFailures is still published under the
    /// empty dimension set, zero included ("every metric is written on every line, zeros included"): the series over
    /// every destination has no gaps on a healthy day.
    /// </summary>
    [Fact]
    public void A_zero_failure_count_is_still_published_without_a_dimension()
    {
        var line = Write(ReplicationOutcome.Replicated, eventTime: null);

        var directives = line.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray();
        Assert.Equal(2, directives.Length);
        Assert.Equal(0, Assert.Single(directives[1].GetProperty("Dimensions").EnumerateArray().ToArray()).GetArrayLength());
        Assert.Equal("ReplicationFailures", Assert.Single(directives[1].GetProperty("Metrics").EnumerateArray().ToArray()).GetProperty("Name").GetString());
        Assert.Equal(0, line.GetProperty("ReplicationFailures").GetInt32());
    }

    /// <summary>
    /// A metric's unit is part of what its readers match on: an alarm or a statistics query that names a unit sees only
    /// the data points written with that unit, and the function's README documents each one. So every metric's unit is
    /// pinned here, not only the few a test of its value happens to read: counts are Count, bytes Bytes, the "...Ms"
    /// figures Milliseconds and the two fractional timings Seconds.
    /// </summary>
    [Fact]
    public void Every_metric_is_declared_with_its_unit()
    {
        static IEnumerable<(string Name, string Unit)> Declared(JsonElement line) =>
            line.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0].GetProperty("Metrics").EnumerateArray()
                .Select(m => (m.GetProperty("Name").GetString()!, m.GetProperty("Unit").GetString()!));

        // Replicated carries ReplicationLatency, Failed carries FailedEventAgeMs: together, every metric of the line.
        var declared = Declared(Write(ReplicationOutcome.Replicated, Now.AddSeconds(-3))).Concat(Declared(Write(ReplicationOutcome.Failed, Now.AddSeconds(-3))));

        (string Name, string Unit)[] expected =
        [
            ("BytesCopied", "Bytes"),
            ("FailedEventAgeMs", "Milliseconds"),
            ("ImagesArchived", "Count"),
            ("ImagesDeleted", "Count"),
            ("ImagesReplicated", "Count"),
            ("ImagesSkipped", "Count"),
            ("LayersCopied", "Count"),
            ("LayersSkipped", "Count"),
            ("ReplicationDuration", "Seconds"),
            ("ReplicationDurationMs", "Milliseconds"),
            ("ReplicationFailures", "Count"),
            ("ReplicationLagMs", "Milliseconds"),
            ("ReplicationLatency", "Seconds"),
        ];
        Assert.Equal(expected, declared.Distinct().OrderBy(m => m.Name, StringComparer.Ordinal));
    }
}
