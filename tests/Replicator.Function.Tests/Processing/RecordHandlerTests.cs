using System.Text.RegularExpressions;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Function.Configuration;
using Replicator.Function.Processing;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Processing;

public class RecordHandlerTests
{
    [Fact]
    public async Task A_push_replicates_the_event_image_to_the_configured_destinations()
    {
        var harness = new Harness();
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: "v1")), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        var (kind, request) = Assert.Single(harness.Replicator.Calls);
        Assert.Equal("replicate", kind);
        Assert.Equal(new ImageReference("000000000000", "us-east-1", "my-app", E.Digest, "v1"), request.Source);
        Assert.Equal(Harness.DefaultConfig.Destinations, request.Destinations);
    }

    [Fact]
    public async Task Each_destination_gets_a_log_line_and_a_metrics_line()
    {
        var harness = new Harness();
        await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);

        var logs = harness.LogLines.Where(l => l.TryGetProperty("destinationRegion", out _)).ToArray();
        Assert.Equal(["us-west-2", "eu-west-1"], logs.Select(l => l.GetProperty("destinationRegion").GetString()));
        Assert.All(logs, l =>
        {
            Assert.Equal("req", l.GetProperty("requestId").GetString());
            Assert.Equal("m1", l.GetProperty("messageId").GetString());
            Assert.Equal("my-app", l.GetProperty("repository").GetString());
            Assert.Equal("v1", l.GetProperty("tag").GetString());
            Assert.Equal(E.Digest, l.GetProperty("digest").GetString());
            Assert.Equal("Replicated", l.GetProperty("outcome").GetString());
            Assert.Equal(3, l.GetProperty("layersCopied").GetInt32());
            Assert.Equal(1, l.GetProperty("layersSkipped").GetInt32());
            Assert.Equal(12345, l.GetProperty("bytes").GetInt64());
            Assert.Equal(250, l.GetProperty("durationMs").GetInt64());
        });
        Assert.Equal(["us-west-2", "eu-west-1"], harness.MetricLines.Select(l => l.GetProperty("DestinationRegion").GetString()));

        // Event time 04:00:00, harness clock 04:00:30.
        Assert.All(harness.MetricLines, m => Assert.Equal(30_000, m.GetProperty("ReplicationLagMs").GetInt64()));
    }

    [Fact]
    public async Task A_tag_outside_the_filter_is_acknowledged_without_calling_the_engine()
    {
        var harness = new Harness(Harness.DefaultConfig with { TagFilter = new Regex("^(?:v.*)$", RegexOptions.None, TimeSpan.FromSeconds(1)) });
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: "latest")), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Acknowledged, result.Outcome);
        Assert.Empty(harness.Replicator.Calls);
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "Filtered" && l.GetProperty("tag").GetString() == "latest");
    }

    [Fact]
    public async Task An_untagged_push_under_the_filter_that_is_no_referrer_is_filtered_without_metrics()
    {
        var (harness, result) = await UntaggedUnderFilterAsync(ReplicationErrorCodes.UntaggedNotSelected);

        Assert.Equal(RecordOutcome.Acknowledged, result.Outcome);
        Assert.True(Assert.Single(harness.Replicator.Calls).Request.UntaggedReferrersOnly);
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "Filtered");
        Assert.DoesNotContain(harness.LogLines, l => l.TryGetProperty("destinationRegion", out _));
        Assert.Empty(harness.MetricLines);
    }

    [Fact]
    public async Task An_untagged_referrer_skipped_where_its_subject_is_absent_is_logged_per_destination()
    {
        var (harness, result) = await UntaggedUnderFilterAsync(ReplicationErrorCodes.SubjectNotHeld);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        Assert.Equal(2, harness.LogLines.Count(l => l.GetProperty("outcome").GetString() == "Skipped" && l.GetProperty("errorType").GetString() == ReplicationErrorCodes.SubjectNotHeld));
        Assert.Equal(2, harness.MetricLines.Count());
    }

    /// <summary>An untagged push under TAG_FILTER that the engine skips in every destination with <paramref name="code"/>.</summary>
    private static async Task<(Harness Harness, RecordResult Result)> UntaggedUnderFilterAsync(string code)
    {
        var harness = new Harness(Harness.DefaultConfig with { TagFilter = new Regex("^(?:v.*)$", RegexOptions.None, TimeSpan.FromSeconds(1)) });
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Skipped, code));
        return (harness, await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: null)), "req", CancellationToken.None));
    }

    [Fact]
    public async Task Foreign_layers_left_out_are_said_in_the_destination_line()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) =>
        {
            var result = FakeReplicator.Result(r, ReplicationOutcome.Replicated);
            return Task.FromResult(result with { Destinations = [.. result.Destinations.Select(d => d with { NonDistributableSkipped = 2 })] });
        };

        await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: "v1")), "req", CancellationToken.None);

        var lines = harness.LogLines.Where(l => l.TryGetProperty("destinationRegion", out _)).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.Contains(RecordHandler.ForeignLayersNote(2), l.GetProperty("message").GetString(), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PUSH")]
    [InlineData("DELETE")]
    public async Task An_event_of_a_repository_outside_the_filter_is_acknowledged_and_logged_as_skipped_without_any_engine_call(string action)
    {
        var harness = new Harness(Harness.DefaultConfig with { ReplicateDeletes = true, RepositoryFilter = RepositoryFilter.Parse("*,!sandbox/*") });
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(action, repository: "sandbox/x")), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Acknowledged, result.Outcome);
        Assert.Contains("sandbox/x is outside REPOSITORY_FILTER *,!sandbox/*", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Replicator.Calls);
        Assert.Empty(harness.MetricLines);
        Assert.Contains(harness.LogLines, l => l.GetProperty("outcome").GetString() == "Skipped" && l.GetProperty("repository").GetString() == "sandbox/x");
    }

    [Fact]
    public async Task An_event_of_a_repository_inside_the_filter_replicates()
    {
        var harness = new Harness(Harness.DefaultConfig with { RepositoryFilter = RepositoryFilter.Parse("*,!sandbox/*") });
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(repository: "team/a")), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        var (kind, request) = Assert.Single(harness.Replicator.Calls);
        Assert.Equal("replicate", kind);
        Assert.Equal("team/a", request.Source.RepositoryName);
    }

    [Fact]
    public async Task Deletes_are_acknowledged_unless_enabled_and_then_call_delete()
    {
        var disabled = new Harness();
        Assert.Equal(RecordOutcome.Acknowledged, (await disabled.Handler.HandleAsync(E.Record("m1", E.Body("DELETE")), "req", CancellationToken.None)).Outcome);
        Assert.Empty(disabled.Replicator.Calls);

        var enabled = new Harness(Harness.DefaultConfig with { ReplicateDeletes = true });
        Assert.Equal(RecordOutcome.Succeeded, (await enabled.Handler.HandleAsync(E.Record("m1", E.Body("DELETE", tag: "old")), "req", CancellationToken.None)).Outcome);
        var (kind, request) = Assert.Single(enabled.Replicator.Calls);
        Assert.Equal("delete", kind);
        Assert.Equal("old", request.Source.Tag);
        Assert.Single(enabled.MetricLines, m => m.GetProperty("ImagesDeleted").GetInt32() == 1 && m.GetProperty("DestinationRegion").GetString() == "us-west-2");
    }

    [Fact]
    public async Task A_failed_push_event_is_acknowledged_with_a_log_line()
    {
        var harness = new Harness();
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(result: "FAILURE")), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.Acknowledged, result.Outcome);
        Assert.Empty(harness.Replicator.Calls);
        Assert.Contains(harness.LogLines, l => l.GetProperty("message").GetString()!.Contains("FAILURE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_the_source_region_as_destination_is_acknowledged()
    {
        var harness = new Harness(Harness.DefaultConfig with { Destinations = [new ReplicationDestination("us-east-1")] });
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.Acknowledged, result.Outcome);
        Assert.Empty(harness.Replicator.Calls);
    }

    [Fact]
    public async Task An_invalid_event_is_permanent_and_logged_as_one_clear_line()
    {
        var harness = new Harness();
        var result = await harness.Handler.HandleAsync(E.Record("m1", "not json"), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.PermanentFailure, result.Outcome);
        Assert.Equal(RecordHandler.InvalidEventErrorType, result.ErrorType);
        var line = Assert.Single(harness.LogLines);
        Assert.Equal("WARN", line.GetProperty("level").GetString());
        Assert.DoesNotContain("   at ", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, RecordOutcome.TransientFailure)]
    [InlineData(false, RecordOutcome.PermanentFailure)]
    public async Task Engine_failures_are_classified_by_their_retry_verdict(bool transient, RecordOutcome expected)
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Failed, transient ? "ThrottlingException" : "ImageTagAlreadyExistsException", transient, "refused"));
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(transient ? "ThrottlingException" : "ImageTagAlreadyExistsException", result.ErrorType);
        // One metric line per destination, each counting its failure: an empty list would pass the All below vacuously.
        Assert.Equal(["us-west-2", "eu-west-1"], harness.MetricLines.Select(l => l.GetProperty("DestinationRegion").GetString()));
        Assert.All(harness.MetricLines, m => Assert.Equal(1, m.GetProperty("ReplicationFailures").GetInt32()));
    }

    [Fact]
    public async Task A_note_on_a_success_is_in_its_log_line_and_the_record_succeeds()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(FakeReplicator.Result(r, ReplicationOutcome.Replicated, message: "3 or more referrers beyond the first 500 left"));
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        var lines = harness.LogLines.Where(l => l.TryGetProperty("destinationRegion", out _)).ToArray();
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l =>
        {
            Assert.Equal("INFO", l.GetProperty("level").GetString());
            Assert.EndsWith(": 3 or more referrers beyond the first 500 left", l.GetProperty("message").GetString(), StringComparison.Ordinal);
        });
    }

    /// <summary>
    /// A permanent failure beside a transient one is retried: the retry re-reads every destination and may still bring
    /// the transient one the image. The error type is the transient one's; the reason names both, permanent first.
    /// </summary>
    [Fact]
    public async Task One_permanent_failure_among_transient_ones_is_retried()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, E.Digest,
        [
            new DestinationResult(r.Destinations[0], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ThrottlingException", "slow down", Transient: true),
            new DestinationResult(r.Destinations[1], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ImageTagAlreadyExistsException", "immutable"),
        ]));
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal("ThrottlingException", result.ErrorType);
        Assert.Equal("111111111111:eu-west-1: ImageTagAlreadyExistsException: immutable; us-west-2: ThrottlingException: slow down", result.Reason);
    }

    /// <summary>
    /// The error type is the transient destination's wherever it stands in the request: the first failed destination
    /// here is the permanent one, whose code would say "dead-letter" on a record that is retried.
    /// </summary>
    [Fact]
    public async Task A_retried_mixed_failure_takes_its_error_type_from_the_transient_destination_even_when_listed_second()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, E.Digest,
        [
            new DestinationResult(r.Destinations[0], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ImageTagAlreadyExistsException", "immutable"),
            new DestinationResult(r.Destinations[1], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ThrottlingException", "slow down", Transient: true),
        ]));
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal("ThrottlingException", result.ErrorType);
    }

    [Fact]
    public async Task Permanent_failures_beside_a_destination_done_are_permanent()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (r, _) => Task.FromResult(new ReplicationResult(r.Source, E.Digest,
        [
            new DestinationResult(r.Destinations[0], ReplicationOutcome.UpToDate, E.Digest, 0, 4, 0, TimeSpan.Zero),
            new DestinationResult(r.Destinations[1], ReplicationOutcome.Failed, null, 0, 0, 0, TimeSpan.Zero, "ImageTagAlreadyExistsException", "immutable"),
        ]));
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.PermanentFailure, result.Outcome);
        Assert.Equal("ImageTagAlreadyExistsException", result.ErrorType);
        Assert.Equal("111111111111:eu-west-1: ImageTagAlreadyExistsException: immutable", result.Reason);
    }

    [Fact]
    public async Task An_engine_exception_is_transient()
    {
        var harness = new Harness();
        harness.Replicator.OnReplicate = (_, _) => throw new InvalidOperationException("boom");
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);
        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal(nameof(InvalidOperationException), result.ErrorType);
        AssertFailedMetricsForEveryDestination(harness);
    }

    /// <summary>
    /// A record that fails as a whole writes a Failed metrics line per destination, with the event's age as
    /// FailedEventAgeMs (event time 04:00:00, harness clock 04:00:30), so the stall alarms see a record that never
    /// completes; the engine gave no per-destination result to write.
    /// </summary>
    private static void AssertFailedMetricsForEveryDestination(Harness harness)
    {
        Assert.Equal(["us-west-2", "eu-west-1"], harness.MetricLines.Select(l => l.GetProperty("DestinationRegion").GetString()));
        Assert.All(harness.MetricLines, m =>
        {
            Assert.Equal(1, m.GetProperty("ReplicationFailures").GetInt32());
            Assert.Equal(0, m.GetProperty("ImagesReplicated").GetInt32());
            Assert.Equal(30_000, m.GetProperty("FailedEventAgeMs").GetInt64());
        });
    }

    [Fact]
    public async Task Cancellation_at_the_deadline_is_transient()
    {
        var harness = new Harness();
        using var cancelled = new CancellationTokenSource();
        harness.Replicator.OnReplicate = async (_, token) =>
        {
            await cancelled.CancelAsync();
            token.ThrowIfCancellationRequested();
            throw new InvalidOperationException("unreachable");
        };
        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", cancelled.Token);
        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal(RecordHandler.CancelledErrorType, result.ErrorType);
        AssertFailedMetricsForEveryDestination(harness);
    }

    /// <summary>
    /// A TAG_FILTER whose match on <see cref="LongTag"/> runs past its timeout whatever the machine: (a+)+b backtracks
    /// exponentially on a run of a's without a b. Built with a 1 ms bound rather than through TagFilter.Create, so the
    /// test need not wait out the product's second; which timeout fires does not matter here, only what follows.
    /// </summary>
    private static Regex TimingOutFilter() => new("^(?:(a+)+b)\\z", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(1));

    private static readonly string LongTag = new('a', 64);

    [Fact]
    public async Task A_tag_filter_timeout_is_transient_and_names_TAG_FILTER_and_the_tag()
    {
        var harness = new Harness(Harness.DefaultConfig with { TagFilter = TimingOutFilter() });

        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: LongTag)), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.TransientFailure, result.Outcome);
        Assert.Equal(RecordHandler.TagFilterTimeoutErrorType, result.ErrorType);
        Assert.StartsWith($"TAG_FILTER took longer than 1 ms on tag '{LongTag}'", result.Reason, StringComparison.Ordinal);
        Assert.Empty(harness.Replicator.Calls);
        var line = Assert.Single(harness.LogLines);
        Assert.Equal(("WARN", "Failed", RecordHandler.TagFilterTimeoutErrorType, LongTag), (line.GetProperty("level").GetString(), line.GetProperty("outcome").GetString(), line.GetProperty("errorType").GetString(), line.GetProperty("tag").GetString()));
        // A pattern that times out on every receive reaches the stall alarms, as any record that fails as a whole.
        AssertFailedMetricsForEveryDestination(harness);
    }

    [Fact]
    public async Task A_tag_filter_timeout_before_the_last_receive_is_reported_and_delayed_not_dead_lettered()
    {
        var harness = new Harness(Harness.DefaultConfig with { TagFilter = TimingOutFilter() });
        var visibility = new RecordingMessageVisibility();
        var processor = harness.ProcessorWithRedelivery(visibility, new BatchProcessorOptions { MaxReceiveCount = 200 });

        var response = await processor.ProcessAsync(E.Batch(E.Received("1", LongTag, "g1", 1)), harness.Context(), CancellationToken.None);

        Assert.Equal(["1"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.Empty(harness.DeadLetter.Sent);
        Assert.Equal(["rh-1"], visibility.Changes.Select(c => c.ReceiptHandle));
    }

    [Fact]
    public async Task A_tag_filter_timeout_on_the_last_receive_is_dead_lettered_with_the_TAG_FILTER_reason()
    {
        var harness = new Harness(Harness.DefaultConfig with { TagFilter = TimingOutFilter() });
        var processor = harness.ProcessorWithRedelivery(new RecordingMessageVisibility(), new BatchProcessorOptions { MaxReceiveCount = 200 });

        var response = await processor.ProcessAsync(E.Batch(E.Received("1", LongTag, "g1", 200)), harness.Context(), CancellationToken.None);

        Assert.Empty(response.BatchItemFailures);
        var sent = Assert.Single(harness.DeadLetter.Sent);
        Assert.Equal(BatchProcessor.ReceivesExhaustedErrorType, sent.ErrorType);
        Assert.StartsWith(
            $"receive 200 of at most 200 (MAX_RECEIVE_COUNT) and its last attempt failed transiently: {RecordHandler.TagFilterTimeoutErrorType}: TAG_FILTER took longer than 1 ms on tag '{LongTag}'",
            sent.Reason,
            StringComparison.Ordinal);
    }
}
