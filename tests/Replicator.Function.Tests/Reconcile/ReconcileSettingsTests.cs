using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Function.Configuration;
using Replicator.Function.Observability;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>The reconciler's settings and its EMF line.</summary>
public sealed class ReconcileSettingsTests
{
    private static FunctionConfig Load(params (string Name, string? Value)[] overrides)
    {
        var values = new Dictionary<string, string?> { ["AWS_REGION"] = "us-east-1", ["DESTINATION_REGIONS"] = "us-west-2" };
        foreach (var (name, value) in overrides)
        {
            values[name] = value;
        }

        return FunctionConfig.Load(new DictionaryEnvironmentVariables(values));
    }

    [Fact]
    public void Reconciling_is_off_unless_a_queue_is_set_and_takes_the_replication_fifo_queue_and_a_parameter_name()
    {
        Assert.Null(Load().ReconcileQueueUrl);
        Assert.Null(Load().ReconcileCursorParameter);

        var config = Load(
            ("RECONCILE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/replication.fifo"),
            ("RECONCILE_CURSOR_PARAMETER", "/stack/reconcile-cursor"));

        Assert.Equal("https://sqs.us-east-1.amazonaws.com/000000000000/replication.fifo", config.ReconcileQueueUrl?.AbsoluteUri);
        Assert.Equal("/stack/reconcile-cursor", config.ReconcileCursorParameter);
    }

    [Theory]
    [InlineData("RECONCILE_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/000000000000/standard", "FIFO")]
    [InlineData("RECONCILE_QUEUE_URL", "http://sqs.us-east-1.amazonaws.com/000000000000/q.fifo", "https")]
    [InlineData("RECONCILE_QUEUE_URL", "queue.fifo", "absolute queue URL")]
    [InlineData("RECONCILE_CURSOR_PARAMETER", "/stack/cursor with space", "SSM parameter name")]
    public void A_bad_reconcile_setting_is_an_init_error_naming_it(string name, string value, string problem)
    {
        var error = Assert.Throws<ConfigurationException>(() => Load((name, value)));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_selection_is_the_functions_repository_and_tag_filters()
    {
        var selection = Load(("REPOSITORY_FILTER", "team/*,!team/secret"), ("TAG_FILTER", "v[0-9]+"), ("REPLICATE_DELETES", "true")).ToDriftSelection();

        Assert.True(selection.IncludeRepository("team/app"));
        Assert.False(selection.IncludeRepository("team/secret"));
        Assert.False(selection.IncludeRepository("other"));
        Assert.True(selection.IncludeTag("v12"));
        Assert.False(selection.IncludeTag("dev-v1"));
        Assert.True(selection.ReplicateDeletes);
    }

    /// <summary>
    /// What the cursor's fingerprint is taken from: every variable that decides what the reconciler finds, and nothing
    /// that only says how a destination is written or how fast.
    /// </summary>
    [Theory]
    [InlineData("DESTINATION_REGIONS", "us-west-2,eu-west-1", true)]
    [InlineData("DESTINATION_REGIONS", "222222222222:us-west-2", true)]
    [InlineData("REPOSITORY_FILTER", "team/*,base/*", true)]
    [InlineData("TAG_FILTER", "v[0-9]+", true)]
    [InlineData("REPOSITORY_MAPPING", "team/=mirror/team/", true)]
    [InlineData("REPLICATE_DELETES", "true", true)]
    [InlineData("DESTINATION_ROLE_NAME", "another-writer", false)]
    [InlineData("DESTINATION_EXTERNAL_ID", "replicator-7f3a", false)]
    [InlineData("MAX_PARALLEL_LAYERS", "8", false)]
    [InlineData("SIGNATURE_WAIT_SECONDS", "60", false)]
    [InlineData("RECONCILE_CURSOR_PARAMETER", "/other/reconcile-cursor", false)]
    public void The_reconcile_settings_follow_the_variables_that_decide_drift_and_no_others(string name, string value, bool changes)
    {
        var before = Load(("REPOSITORY_FILTER", "team/*")).ToReconcileSettings();
        var after = Load(("REPOSITORY_FILTER", "team/*"), (name, value)).ToReconcileSettings();

        Assert.Equal(changes, before.Fingerprint != after.Fingerprint);
    }

    [Fact]
    public void Each_run_writes_DriftFound_DriftEnqueued_ReconcileFailures_ReconcileRefused_and_DriftConflicts_in_one_document_per_source_region_zeros_included()
    {
        var now = new DateTimeOffset(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);
        var output = new SynchronizedStringWriter();
        var writer = new MetricsWriter(new OutputSink(output), "Test/Ns", new FakeTimeProvider(now));

        writer.WriteReconcile("us-east-1", 7, 5, 2, 1, 3);
        writer.WriteReconcile("us-east-1", 0, 0, 0, 0, 0);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, lines.Count);
        var directive = Assert.Single(lines[0].GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().ToArray());
        Assert.Equal(now.ToUnixTimeMilliseconds(), lines[0].GetProperty("_aws").GetProperty("Timestamp").GetInt64());
        Assert.Equal("Test/Ns", directive.GetProperty("Namespace").GetString());
        Assert.Equal(["SourceRegion"], Assert.Single(directive.GetProperty("Dimensions").EnumerateArray().ToArray()).EnumerateArray().Select(d => d.GetString()));
        Assert.Equal([("DriftFound", "Count"), ("DriftEnqueued", "Count"), ("ReconcileFailures", "Count"), ("ReconcileRefused", "Count"), ("DriftConflicts", "Count")], directive.GetProperty("Metrics").EnumerateArray().Select(m => (m.GetProperty("Name").GetString()!, m.GetProperty("Unit").GetString()!)));
        Assert.Equal("us-east-1", lines[0].GetProperty("SourceRegion").GetString());
        Assert.Equal((7, 5, 2, 1, 3), Values(lines[0]));
        Assert.Equal((0, 0, 0, 0, 0), Values(lines[1]));

        static (int, int, int, int, int) Values(JsonElement line) => (
            line.GetProperty("DriftFound").GetInt32(),
            line.GetProperty("DriftEnqueued").GetInt32(),
            line.GetProperty("ReconcileFailures").GetInt32(),
            line.GetProperty("ReconcileRefused").GetInt32(),
            line.GetProperty("DriftConflicts").GetInt32());
    }
}
