using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Reconciliation;
using Replicator.Function.Configuration;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Reconcile;
using Replicator.Function.Tests.Support;
using Replicator.Samples;
using Replicator.Testing;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>
/// A tag filter whose match times out on one tag during a reconcile walk: that tag is left out and reported, and the
/// rest of its repository, and of the pass, is compared as usual.
/// </summary>
public sealed class TagFilterTimeoutTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 6, 0, 0, TimeSpan.Zero);

    /// <summary>A source tag on which (a+)+b backtracks exponentially: a run of a's without a b.</summary>
    private static readonly string LongTag = new('a', 64);

    /// <summary>A destination-only tag of the same kind, which a delete pass would look at.</summary>
    private static readonly string LongDestinationTag = new('a', 65);

    /// <summary>
    /// (a+)+b with a 1 ms bound rather than TagFilter.Create's second, so the test need not wait it out; it runs past
    /// any bound on the long tags, whatever the machine.
    /// </summary>
    private static readonly Regex TimingOut = new("^(?:(a+)+b)\\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(1));

    /// <summary>
    /// The long tags go through <see cref="TimingOut"/>; every other tag is selected without a regex, so a paused test
    /// thread cannot time out a tag the test expects to be compared.
    /// </summary>
    private static DriftSelection Selection(bool replicateDeletes = false) => new()
    {
        IncludeTag = static tag => tag.StartsWith('a') ? TimingOut.IsMatch(tag) : true,
        ReplicateDeletes = replicateDeletes,
    };

    private static long _seed = 9500;

    private static SampleImage Unique() => new SampleImageBuilder((ulong)Interlocked.Increment(ref _seed)).Image(SampleFormat.Oci, [512]);

    private static ReconcileRun Run(string id) => new() { Account = ReconcileRig.Account, Region = ReconcileRig.Source, RunId = id, Time = Now };

    [Fact]
    public async Task A_tag_whose_filter_match_times_out_is_left_out_and_reported_and_the_rest_of_its_repository_is_compared()
    {
        await using var h = await ReconcileRig.StartAsync();
        var kept = Unique();
        var pathological = Unique();
        var other = Unique();
        var destinationOnly = Unique();
        await h.PushAsync(ReconcileRig.Source, "aa", kept, "v1");
        await h.PushAsync(ReconcileRig.Source, "aa", pathological, LongTag);
        await h.PushAsync(ReconcileRig.Source, "bb", other, "v1");
        await h.PushAsync(ReconcileRig.West, "aa", destinationOnly, LongDestinationTag);
        var sender = new RecordingSender();
        var store = new MemoryCursorStore();

        var report = await new Reconciler(h.Scanner(Selection(replicateDeletes: true)), sender, TimeProvider.System, store).RunAsync(Run("t1"), CancellationToken.None);

        // Before, the timeout failed repository aa as a whole, on every pass: v1 was never compared.
        Assert.True(report.Completed);
        Assert.Equal(ReconcileCursor.StartValue, store.Value);
        Assert.Empty(report.Failures);
        Assert.Equal(
            [("aa", "v1", kept.Digest), ("bb", "v1", other.Digest)],
            report.Drift.Select(d => (d.Repository, d.Tag!, d.Digest)).Order());
        Assert.All(report.Drift, d => Assert.False(d.IsDelete));
        Assert.Equal(2, sender.Messages.Count());

        // Neither pushed nor deleted: nothing is decided from a match that did not finish.
        Assert.Equal(
            [("aa", LongTag), ("aa", LongDestinationTag)],
            report.TagFilterTimeouts.Select(t => (t.Repository, t.Tag)));
        Assert.All(report.TagFilterTimeouts, t => Assert.Equal(TimeSpan.FromMilliseconds(1), t.MatchTimeout));
        Assert.Equal(2, report.FailureCount);
    }

    [Fact]
    public async Task A_scheduled_run_logs_a_warning_naming_the_repository_and_the_tag_and_counts_it_in_ReconcileFailures()
    {
        await using var h = await ReconcileRig.StartAsync();
        var kept = Unique();
        await h.PushAsync(ReconcileRig.Source, "aa", kept, "v1");
        await h.PushAsync(ReconcileRig.Source, "aa", Unique(), LongTag);
        var clock = new FakeTimeProvider(Now);
        var output = new SynchronizedStringWriter();
        var sink = new OutputSink(output);
        var config = new FunctionConfig { Region = ReconcileRig.Source, Destinations = ReconcileRig.Destinations };
        var sender = new RecordingSender();
        var scheduled = new ScheduledReconcile(
            new Reconciler(h.Scanner(Selection()), sender, clock, new MemoryCursorStore()), config, new FunctionLogger(sink, LogLevel.Info, LogFormat.Json, clock), new MetricsWriter(sink, "Test", clock), clock);

        var response = await scheduled.RunAsync(new ScheduledEvent { Id = "timeout-1", Account = ReconcileRig.Account }, new FakeLambdaContext(clock, TimeSpan.FromMinutes(15)), CancellationToken.None);

        Assert.True(response.Completed);
        Assert.Equal((1, 1, 1), (response.DriftFound, response.DriftEnqueued, response.Failures));
        Assert.Equal(kept.Digest, EcrEventParser.Parse(Assert.Single(sender.Messages).Body).Digest);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var metrics = Assert.Single(lines, l => l.TryGetProperty("_aws", out _));
        Assert.Equal(1, metrics.GetProperty(MetricsWriter.ReconcileFailuresMetric).GetInt32());

        string Field(JsonElement line, string name) => line.TryGetProperty(name, out var value) ? value.GetString()! : string.Empty;
        var warning = Assert.Single(lines, l => Field(l, "errorType") == RecordHandler.TagFilterTimeoutErrorType);
        Assert.Equal(("WARN", LogOutcomes.Failed, "aa", LongTag), (Field(warning, "level"), Field(warning, "outcome"), Field(warning, "repository"), Field(warning, "tag")));
        Assert.StartsWith($"Reconcile: TAG_FILTER took longer than 1 ms on tag '{LongTag}'; that tag was not compared this pass", Field(warning, "message"), StringComparison.Ordinal);
    }
}
