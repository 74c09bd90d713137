using System.Buffers;
using System.Text;
using System.Text.Json;
using Replicator.Core.Replication;

namespace Replicator.Function.Observability;

/// <summary>
/// CloudWatch Embedded Metric Format: one JSON line per destination result, dimension DestinationRegion
/// (format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
/// Every metric is written on every line, zeros included, so sums and averages stay comparable across outcomes, except
/// the ones that are only meaningful for some outcomes: ReplicationLatency (Replicated) and FailedEventAgeMs (Failed).
/// </summary>
public sealed class MetricsWriter(OutputSink sink, string metricsNamespace, TimeProvider timeProvider)
{
    public const string DimensionName = "DestinationRegion";

    /// <summary>The reconciler's metrics are per source region: a run compares it with every destination at once.</summary>
    public const string ReconcileDimensionName = "SourceRegion";

    public const string DriftFoundMetric = "DriftFound";

    public const string DriftEnqueuedMetric = "DriftEnqueued";

    public const string ReconcileFailuresMetric = "ReconcileFailures";

    public const string ReconcileRefusedMetric = "ReconcileRefused";

    public const string DriftConflictsMetric = "DriftConflicts";

    private static readonly (string Name, string Unit)[] Definitions =
    [
        ("ImagesReplicated", "Count"),
        ("ImagesSkipped", "Count"),
        ("ImagesDeleted", "Count"),
        ("ReplicationFailures", "Count"),
        ("BytesCopied", "Bytes"),
        ("LayersCopied", "Count"),
        ("LayersSkipped", "Count"),
        ("ReplicationDurationMs", "Milliseconds"),
        ("ReplicationLagMs", "Milliseconds"),
        ("ImagesArchived", "Count"),
        ("ReplicationDuration", "Seconds"),
        ("ReplicationLatency", "Seconds"),
        (FailedEventAgeMetric, "Milliseconds"),
    ];

    private static readonly (string Name, string Unit)[] EventFailureDefinitions = [(ReplicatedEventsFailedMetric, "Count")];

    private static readonly (string Name, string Unit)[] ReconcileDefinitions =
    [
        (DriftFoundMetric, "Count"),
        (DriftEnqueuedMetric, "Count"),
        (ReconcileFailuresMetric, "Count"),
        (ReconcileRefusedMetric, "Count"),
        (DriftConflictsMetric, "Count"),
    ];

    /// <summary>
    /// Also published without a dimension: one series over every destination, whatever its account or partition, which
    /// the stack's "all destinations" alarm watches. Destinations in other accounts share DestinationRegion with the
    /// source account's, and a region listed only in OtherAccountDestinations or OtherPartitionDestinations has no
    /// per-region alarm; one extra custom metric keeps every destination under an alarm.
    /// </summary>
    public const string AggregatedLatencyMetric = "ReplicationLatency";

    /// <summary>
    /// The age of the event (its <c>time</c> to the log line) of a copy that failed, written only on Failed lines, and also
    /// without a dimension: the stack's stall alarms watch its Maximum, per region and over all destinations. A destination
    /// that refuses every copy writes no ReplicationLatency (only Replicated has one), so the latency alarms see no data;
    /// this grows with every redelivery while the refusal lasts. Written only for Failed, so the age of an event that
    /// succeeded or was found up to date (a reconcile pass's backfill, a redrive from the dead-letter queue, a redelivery
    /// for another destination) never reaches the alarm, whatever else failed in the same period.
    /// </summary>
    public const string FailedEventAgeMetric = "FailedEventAgeMs";

    /// <summary>
    /// Also published without a dimension, for the same reason: ReplicationLagMs (every outcome) and ReplicationFailures,
    /// one series each over every destination, for dashboards and alarms of the operator's own.
    /// </summary>
    public const string AggregatedLagMetric = "ReplicationLagMs";

    /// <inheritdoc cref="AggregatedLagMetric"/>
    public const string AggregatedFailuresMetric = "ReplicationFailures";

    private static readonly string[] AggregatedMetrics = [AggregatedLatencyMetric, AggregatedLagMetric, AggregatedFailuresMetric, FailedEventAgeMetric];

    /// <summary>Given-up "ECR Image Replicated" events, also published without a dimension for the stack's alarm.</summary>
    public const string ReplicatedEventsFailedMetric = "ReplicatedEventsFailed";

    private static readonly string[] AggregatedEventFailureMetrics = [ReplicatedEventsFailedMetric];

    /// <summary>
    /// The warning to log at init when Lambda's log-level filtering would drop every metric line, else null. An EMF line
    /// has no "level" field, and Lambda gives a JSON line without one the level INFO
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): with an application log
    /// level above INFO the lines never reach CloudWatch Logs, so no metric is extracted and the metric alarms see nothing.
    /// Lambda filters only JSON-format logs, so plain text keeps them.
    /// </summary>
    public static string? FilteredOutWarning(LogLevel level, LogFormat format) =>
        format == LogFormat.Json && level > LogLevel.Info
            ? $"AWS_LAMBDA_LOG_LEVEL is {FunctionLogger.LevelName(level)}: Lambda gives a JSON log line without a level, as every embedded-metric-format line is, the level INFO and drops it, "
              + "so none of this function's metrics reach CloudWatch and the alarms on them stay silent; set the application log level to INFO or lower to keep them"
            : null;

    /// <param name="result">One destination's result.</param>
    /// <param name="eventTime">When ECR emitted the event; null leaves ReplicationLagMs, FailedEventAgeMs and ReplicationLatency out.</param>
    /// <param name="pushed">
    /// False for an event the replicator enqueued itself (a reconcile pass, <c>sync --enqueue</c>:
    /// <see cref="Enqueue.SenderAttribute"/>), whose <c>time</c> is when it ran, not when the image was pushed: it leaves
    /// ReplicationLatency out, which would otherwise count the scan and the queue's backlog as a push's latency and set off
    /// the latency alarms on every backfill. ReplicationLagMs is still written, and FailedEventAgeMs for a failed copy: the
    /// stall alarms watch how old the events of failing copies are, whoever sent them.
    /// </param>
    /// <remarks>
    /// ReplicationLatency (seconds) runs from the push event's <c>time</c> to the moment this copy made the destination
    /// hold the image (<see cref="DestinationResult.CompletedAt"/>), so it is written only for Replicated; ReplicationDuration
    /// is the copy itself. Seconds as fractions, so p50/p99 of fast copies are not rounded to zero.
    /// </remarks>
    public void Write(DestinationResult result, DateTimeOffset? eventTime, bool pushed = true)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = timeProvider.GetUtcNow();
        long? lag = eventTime is { } time ? Math.Max(0, (long)(now - time).TotalMilliseconds) : null;
        var latency = (pushed ? LatencySeconds(result, eventTime, now) : null) ?? -1;
        double[] values =
        [
            result.Outcome == ReplicationOutcome.Replicated ? 1 : 0,
            result.Outcome is ReplicationOutcome.UpToDate or ReplicationOutcome.Skipped ? 1 : 0,
            result.Outcome == ReplicationOutcome.Deleted ? 1 : 0,
            result.Outcome == ReplicationOutcome.Failed ? 1 : 0,
            result.BytesCopied,
            result.LayersCopied,
            result.LayersSkipped,
            (long)result.Duration.TotalMilliseconds,
            lag ?? -1,
            result.Outcome == ReplicationOutcome.Archived ? 1 : 0,
            result.Duration.TotalSeconds,
            latency,
            result.Outcome == ReplicationOutcome.Failed ? lag ?? -1 : -1,
        ];

        Emit(DimensionName, result.Destination.Region, now, Definitions, values, AggregatedMetrics);
    }

    /// <summary>
    /// ReplicatedEventsFailed: one "ECR Image Replicated" event for <paramref name="destinationRegion"/> was given up
    /// (the image itself is replicated). Written only when it happens, per region and without a dimension: the stack's
    /// ReplicatedEventsFailedAlarm watches the one series over every destination, other accounts and partitions included.
    /// </summary>
    public void WriteReplicatedEventFailed(string destinationRegion)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationRegion);
        Emit(DimensionName, destinationRegion, timeProvider.GetUtcNow(), EventFailureDefinitions, [1], AggregatedEventFailureMetrics);
    }

    /// <summary>
    /// The ReplicationLatency value (seconds) of <paramref name="result"/>: from the push event's <c>time</c> to
    /// <see cref="DestinationResult.CompletedAt"/> (else <paramref name="now"/>), for a destination this copy wrote
    /// (Replicated); null otherwise or without an event time. An UpToDate destination held the image before this
    /// delivery (a redelivery, a redrive, a duplicate event, a referrer that travelled with its subject): now minus the
    /// push would be the event's age, not a replication's latency, and would inflate p99 with every retry. The
    /// replicated event carries the same figure.
    /// </summary>
    public static double? LatencySeconds(DestinationResult result, DateTimeOffset? eventTime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(result);
        var written = result.Outcome == ReplicationOutcome.Replicated;
        return eventTime is { } pushed && written ? Math.Max(0, ((result.CompletedAt ?? now) - pushed).TotalSeconds) : null;
    }

    /// <summary>
    /// One line per reconcile run, dimension <see cref="ReconcileDimensionName"/> (the source region): DriftFound,
    /// the tags and referrers some destination lacked or held at another digest; DriftEnqueued, the events the queue
    /// accepted for them; ReconcileFailures, the repositories (or their destinations) the run could not read and the
    /// tags TAG_FILTER could not decide in time; ReconcileRefused, the events SQS refused or that could not be sent; DriftConflicts, the selected tags a destination holds at another digest
    /// where the tag is immutable (not enqueued, not in DriftFound). Zeros are written too, so a healthy registry shows a
    /// flat line, not a gap.
    /// </summary>
    public void WriteReconcile(string sourceRegion, int driftFound, int driftEnqueued, int failures, int refused, int conflicts)
    {
        ArgumentNullException.ThrowIfNull(sourceRegion);
        Emit(ReconcileDimensionName, sourceRegion, timeProvider.GetUtcNow(), ReconcileDefinitions, [driftFound, driftEnqueued, failures, refused, conflicts]);
    }

    /// <summary>
    /// One EMF document: <paramref name="definitions"/> under one dimension, a value below zero leaving its metric out.
    /// The metrics named in <paramref name="aggregated"/>, those written, are declared again in a second directive under the
    /// empty dimension set (the specification allows it: "A DimensionSet MAY be empty"), which publishes one series
    /// over every value of the dimension.
    /// </summary>
    private void Emit(
        string dimensionName, string dimensionValue, DateTimeOffset now, (string Name, string Unit)[] definitions, double[] values, string[]? aggregated = null)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", now.ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            WriteDirective(json, dimensionName, definitions, values, only: null);
            if (aggregated is not null && definitions.Where((d, i) => values[i] >= 0 && aggregated.Contains(d.Name)).Any())
            {
                WriteDirective(json, dimensionName: null, definitions, values, only: aggregated);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString(dimensionName, dimensionValue);
            for (var i = 0; i < definitions.Length; i++)
            {
                if (values[i] >= 0)
                {
                    json.WriteNumber(definitions[i].Name, values[i]);
                }
            }

            json.WriteEndObject();
        }

        sink.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private void WriteDirective(Utf8JsonWriter json, string? dimensionName, (string Name, string Unit)[] definitions, double[] values, string[]? only)
    {
        json.WriteStartObject();
        json.WriteString("Namespace", metricsNamespace);
        json.WriteStartArray("Dimensions");
        json.WriteStartArray();
        if (dimensionName is not null)
        {
            json.WriteStringValue(dimensionName);
        }

        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteStartArray("Metrics");
        for (var i = 0; i < definitions.Length; i++)
        {
            if (values[i] < 0 || (only is not null && !only.Contains(definitions[i].Name)))
            {
                continue;
            }

            json.WriteStartObject();
            json.WriteString("Name", definitions[i].Name);
            json.WriteString("Unit", definitions[i].Unit);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
