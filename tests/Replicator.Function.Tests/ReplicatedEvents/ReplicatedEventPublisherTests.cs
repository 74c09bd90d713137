using System.Net;
using System.Text.Json;
using Replicator.Core.EventBridge;
using Moq;
using Replicator.Core.EventBridge.Model;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.ReplicatedEvents;
using Replicator.Function.Tests.Support;
using Replicator.Testing;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.ReplicatedEvents;

/// <summary>
/// The replicated events on the wire: through the real PutEvents client to <see cref="LocalEventBridge"/>, which
/// verifies each request's SigV4 signature and shape before it records the body.
/// </summary>
public sealed class ReplicatedEventPublisherTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private LocalEventBridge _bus = null!;

    public async Task InitializeAsync() => _bus = await LocalEventBridge.StartAsync();

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task A_push_puts_one_signed_event_per_destination_with_the_metric_figures()
    {
        var harness = Harness();

        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body(tag: "v1")), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        Assert.Empty(_bus.Refused);
        var (region, _) = Assert.Single(_bus.Accepted);
        Assert.Equal("us-east-1", region);
        var entries = _bus.Entries.ToList();
        Assert.Equal(2, entries.Count);
        var metrics = harness.MetricLines.ToList();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("ecr-replicator", entries[i].GetProperty("Source").GetString());
            Assert.Equal("ECR Image Replicated", entries[i].GetProperty("DetailType").GetString());
            Assert.Equal("replicated", entries[i].GetProperty("EventBusName").GetString());
            using var detail = JsonDocument.Parse(entries[i].GetProperty("Detail").GetString()!);
            var d = detail.RootElement;
            Assert.Equal("my-app", d.GetProperty("repository-name").GetString());
            Assert.Equal(E.Digest, d.GetProperty("image-digest").GetString());
            Assert.Equal("v1", d.GetProperty("image-tag").GetString());
            Assert.Equal("us-east-1", d.GetProperty("source-region").GetString());
            Assert.Equal("000000000000", d.GetProperty("source-registry-id").GetString());
            Assert.Equal(metrics[i].GetProperty("DestinationRegion").GetString(), d.GetProperty("destination-region").GetString());
            Assert.Equal(metrics[i].GetProperty("ReplicationLatency").GetDouble(), d.GetProperty("latency-seconds").GetDouble());
            Assert.Equal(metrics[i].GetProperty("BytesCopied").GetInt64(), d.GetProperty("bytes-copied").GetInt64());
        }

        // The push event's time is 04:00:00, the fake clock 04:00:30.
        using var first = JsonDocument.Parse(entries[0].GetProperty("Detail").GetString()!);
        Assert.Equal(30, first.RootElement.GetProperty("latency-seconds").GetDouble());
        Assert.Equal("000000000000", first.RootElement.GetProperty("destination-registry-id").GetString());
        using var second = JsonDocument.Parse(entries[1].GetProperty("Detail").GetString()!);
        Assert.Equal("111111111111", second.RootElement.GetProperty("destination-registry-id").GetString());
    }

    [Fact]
    public async Task A_bus_that_refuses_everything_never_fails_the_record()
    {
        _bus.CallError = _ => (HttpStatusCode.BadRequest, "AccessDeniedException");
        var harness = Harness();

        var result = await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);

        Assert.Equal(RecordOutcome.Succeeded, result.Outcome);
        Assert.Equal(["AccessDeniedException"], _bus.Refused);
        var warnings = harness.LogLines.Where(l => l.GetProperty("level").GetString() == "WARN").ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal("AccessDeniedException", w.GetProperty("errorType").GetString()));
        Assert.Equal(2, harness.MetricLines.Count(m => m.TryGetProperty("ReplicatedEventsFailed", out _)));
    }

    [Fact]
    public async Task Without_a_bus_nothing_is_put()
    {
        var harness = new Harness(eventBridge: Client());

        await harness.Handler.HandleAsync(E.Record("m1", E.Body()), "req", CancellationToken.None);

        Assert.Empty(_bus.Accepted);
        Assert.Empty(_bus.Refused);
    }

    [Fact]
    public async Task Calls_carry_at_most_ten_entries()
    {
        var (publisher, harness) = Publisher();

        var failed = await publisher.PublishAsync(Events(23), new(), CancellationToken.None);

        Assert.Equal(0, failed);
        Assert.Equal([10, 10, 3], _bus.Accepted.Select(a => a.Body.GetProperty("Entries").GetArrayLength()));
        Assert.Empty(harness.MetricLines);
    }

    [Fact]
    public async Task Entries_refused_with_a_transient_code_are_sent_again_alone_and_a_permanent_code_is_given_up()
    {
        _bus.EntryError = (call, entry) => call == 0 ? Detail(entry) switch
        {
            "1" => "ThrottlingException",
            "2" => "InternalFailure",
            "3" => "MalformedDetail",
            _ => null,
        } : null;
        var (publisher, harness) = Publisher();

        var failed = await publisher.PublishAsync(Events(5), new(), CancellationToken.None);

        Assert.Equal(1, failed);
        var calls = _bus.Accepted.ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(["1", "2"], calls[1].Body.GetProperty("Entries").EnumerateArray().Select(Detail));
        var warning = Assert.Single(harness.LogLines, l => l.GetProperty("level").GetString() == "WARN");
        Assert.Equal("MalformedDetail", warning.GetProperty("errorType").GetString());
        Assert.Equal("us-west-2", warning.GetProperty("destinationRegion").GetString());
        Assert.Equal(1, Assert.Single(harness.MetricLines).GetProperty("ReplicatedEventsFailed").GetInt32());
    }

    [Fact]
    public async Task Throttling_is_retried_a_bounded_number_of_times_then_given_up()
    {
        _bus.CallError = _ => (HttpStatusCode.BadRequest, "ThrottlingException");
        var (publisher, harness) = Publisher(new ReplicatedEventSettings { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        var failed = await publisher.PublishAsync(Events(2), new(), CancellationToken.None);

        Assert.Equal(2, failed);
        Assert.Equal(3, _bus.Refused.Count);
        Assert.All(harness.LogLines, l => Assert.Equal("ThrottlingException", l.GetProperty("errorType").GetString()));
        Assert.Contains("after 3 attempts", harness.LogLines.First().GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_throttled_entry_waits_throttlings_longer_backoff_and_another_transient_error_the_short_one()
    {
        var clock = new WaitsElapseAtOnceClock();
        var harness = new Harness();
        var settings = new ReplicatedEventSettings();
        var publisher = new ReplicatedEventPublisher(Client(), harness.Logger, harness.Metrics, clock, settings, random: () => 0.5);

        _bus.CallError = _ => (HttpStatusCode.BadRequest, "ThrottlingException");
        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);
        Assert.Equal([Delay(0, settings.ThrottlingBaseDelay), Delay(1, settings.ThrottlingBaseDelay)], clock.Waits);

        clock.Waits.Clear();
        _bus.CallError = _ => (HttpStatusCode.InternalServerError, "InternalException");
        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);
        Assert.Equal([Delay(0, settings.BaseDelay), Delay(1, settings.BaseDelay)], clock.Waits);

        TimeSpan Delay(int retry, TimeSpan baseDelay) => RetryDelays.Compute(retry, baseDelay, settings.MaxDelay, 0.5);
    }

    [Fact]
    public async Task A_client_that_throws_anything_else_is_retried_within_the_budget_and_never_throws()
    {
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.Setup(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>())).ThrowsAsync(new InvalidOperationException("no credentials"));
        var harness = new Harness();
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, new ReplicatedEventSettings { MaxAttempts = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        var failed = await publisher.PublishAsync(Events(1), new(), CancellationToken.None);

        Assert.Equal(1, failed);
        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal("InvalidOperationException", Assert.Single(harness.LogLines).GetProperty("errorType").GetString());
    }

    /// <summary>
    /// EventBridge unreachable: each publish would spend every attempt on the client's timeout in the record's path.
    /// After one publish got no answer at all, the next ones give their events up unsent until the pause ends; then
    /// the bus is tried again. Counted in calls, on the harness's fake clock.
    /// </summary>
    [Fact]
    public async Task A_bus_that_never_answers_pauses_publishing_then_is_tried_again()
    {
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.Setup(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventBridgeException("RequestTimeout", "no answer within 10 s", isTransient: true));
        var harness = new Harness();
        var settings = new ReplicatedEventSettings { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, settings);
        void CallsSoFar(int expected) => client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(expected));

        Assert.Equal(1, await publisher.PublishAsync(Events(1), new(), CancellationToken.None));
        CallsSoFar(3);

        harness.Time.Advance(settings.PauseAfterOutage - TimeSpan.FromSeconds(1));
        Assert.Equal(2, await publisher.PublishAsync(Events(2), new(), CancellationToken.None));
        CallsSoFar(3);
        Assert.Equal(
            ["RequestTimeout", ReplicatedEventPublisher.PausedCode, ReplicatedEventPublisher.PausedCode],
            harness.LogLines.Select(l => l.GetProperty("errorType").GetString()));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await publisher.PublishAsync(Events(1), new(), CancellationToken.None));
        CallsSoFar(6);
    }

    /// <summary>An error answer comes back at once and costs no timeout: it is no outage, and nothing is paused.</summary>
    [Fact]
    public async Task A_bus_that_answers_with_errors_is_not_paused()
    {
        _bus.CallError = _ => (HttpStatusCode.InternalServerError, "InternalException");
        var (publisher, _) = Publisher(new ReplicatedEventSettings { MaxAttempts = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);
        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);

        Assert.Equal(4, _bus.Refused.Count);
    }

    [Fact]
    public async Task An_entry_over_256_KB_is_never_sent()
    {
        var (publisher, harness) = Publisher();
        var big = new ReplicatedEvent("us-west-2", E.Digest, new PutEventsRequestEntry { Source = "ecr-replicator", DetailType = "t", Detail = "{\"x\":\"" + new string('x', 256 * 1024) + "\"}" });

        var failed = await publisher.PublishAsync([big, .. Events(1)], new(), CancellationToken.None);

        Assert.Equal(1, failed);
        Assert.Equal(1, Assert.Single(_bus.Accepted).Body.GetProperty("Entries").GetArrayLength());
        Assert.Equal(ReplicatedEventPublisher.EntryTooLargeCode, Assert.Single(harness.LogLines).GetProperty("errorType").GetString());
    }

    private static string Detail(JsonElement entry)
    {
        using var detail = JsonDocument.Parse(entry.GetProperty("Detail").GetString()!);
        return detail.RootElement.GetProperty("n").GetString()!;
    }

    private static List<ReplicatedEvent> Events(int count) =>
        [.. Enumerable.Range(0, count).Select(i => new ReplicatedEvent("us-west-2", E.Digest, new PutEventsRequestEntry
        {
            Source = "ecr-replicator",
            DetailType = "ECR Image Replicated",
            Detail = $"{{\"n\":\"{i}\"}}",
            EventBusName = "replicated",
        }))];

    [Fact]
    public async Task A_record_the_reconciler_sent_writes_no_latency_while_a_pushed_one_does()
    {
        var harness = Harness();

        // As the event source mapping delivers them: the intake pipe's message carries no message attributes; the
        // reconciler's carries the String attribute it set at SendMessageBatch. The bodies are the same PUSH event.
        var body = JsonSerializer.Serialize(E.Body(tag: "v1"));
        var batch = JsonSerializer.Deserialize(
            """
            {"Records":[
              {"messageId":"pushed","body":BODY,"attributes":{"MessageGroupId":"my-app"},"messageAttributes":{},"eventSourceARN":"QUEUE"},
              {"messageId":"reconciled","body":BODY,"attributes":{"MessageGroupId":"my-app"},"eventSourceARN":"QUEUE",
               "messageAttributes":{"ReplicatorSender":{"stringValue":"reconciler","stringListValues":[],"binaryListValues":[],"dataType":"String"}}}
            ]}
            """.Replace("BODY", body, StringComparison.Ordinal).Replace("QUEUE", E.QueueArn, StringComparison.Ordinal),
            EventJsonContext.Default.SQSEvent)!;
        Assert.Null(batch.Records[0].Sender);
        Assert.Equal(SenderAttribute.Reconciler, batch.Records[1].Sender);

        Assert.Equal(RecordOutcome.Succeeded, (await harness.Handler.HandleAsync(batch.Records[0], "req", CancellationToken.None)).Outcome);
        var pushedMetrics = harness.MetricLines.ToList();
        Assert.Equal(RecordOutcome.Succeeded, (await harness.Handler.HandleAsync(batch.Records[1], "req", CancellationToken.None)).Outcome);
        var reconciledMetrics = harness.MetricLines.Skip(pushedMetrics.Count).ToList();

        Assert.Equal(2, pushedMetrics.Count);
        Assert.All(pushedMetrics, m => Assert.Equal(30, m.GetProperty("ReplicationLatency").GetDouble()));
        Assert.Equal(2, reconciledMetrics.Count);
        Assert.All(reconciledMetrics, m =>
        {
            // The run's time to now is the scan and the backlog, not a push's latency: no sample, in either directive.
            Assert.False(m.TryGetProperty("ReplicationLatency", out _));
            Assert.DoesNotContain(
                m.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray().SelectMany(d => d.GetProperty("Metrics").EnumerateArray()),
                d => d.GetProperty("Name").GetString() == "ReplicationLatency");

            // The stall alarms still see how old the event is.
            Assert.Equal(30_000, m.GetProperty("ReplicationLagMs").GetDouble());
            Assert.Equal(1, m.GetProperty("ImagesReplicated").GetDouble());
        });

        var details = _bus.Entries.Select(e => JsonDocument.Parse(e.GetProperty("Detail").GetString()!).RootElement).ToList();
        Assert.Equal(4, details.Count);
        Assert.All(details.Take(2), d => Assert.Equal(30, d.GetProperty("latency-seconds").GetDouble()));
        Assert.All(details.Skip(2), d => Assert.False(d.TryGetProperty("latency-seconds", out _)));
        Assert.All(details, d => Assert.Equal("v1", d.GetProperty("image-tag").GetString()));
    }

    private EventBridgeClient Client() =>
        new(_http, new StaticCredentialsSource(new AwsCredentials(LocalEventBridge.AccessKeyId, LocalEventBridge.SecretAccessKey)), "us-east-1", _bus.Endpoint);

    private Harness Harness() =>
        new(Support.Harness.DefaultConfig with { ReplicatedEventBus = EventBusReference.Parse("replicated", "REPLICATED_EVENT_BUS") }, eventBridge: Client());

    private (ReplicatedEventPublisher Publisher, Harness Harness) Publisher(ReplicatedEventSettings? settings = null)
    {
        var harness = new Harness();
        return (new ReplicatedEventPublisher(Client(), harness.Logger, harness.Metrics, harness.Time, settings ?? new ReplicatedEventSettings { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero }), harness);
    }

    /// <summary>
    /// PutEvents' limit is "less than 256 KB" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html):
    /// an entry of exactly 262,144 bytes is already too large. It is given up as EntryTooLarge, never sent, and the
    /// publisher does not throw (the batch splitter refuses such an entry with an exception).
    /// </summary>
    [Fact]
    public async Task An_entry_of_exactly_256_KB_is_given_up_without_throwing()
    {
        var (publisher, harness) = Publisher();
        const string source = "ecr-replicator", detailType = "t", open = "{\"x\":\"", close = "\"}";
        var detail = open + new string('x', PutEventsBatches.MaxBytes - source.Length - detailType.Length - open.Length - close.Length) + close;
        var entry = new PutEventsRequestEntry { Source = source, DetailType = detailType, Detail = detail };
        Assert.Equal(PutEventsBatches.MaxBytes, PutEventsBatches.EntrySize(entry));

        var failed = await publisher.PublishAsync([new ReplicatedEvent("us-west-2", E.Digest, entry), .. Events(1)], new(), CancellationToken.None);

        Assert.Equal(1, failed);
        Assert.Equal(1, Assert.Single(_bus.Accepted).Body.GetProperty("Entries").GetArrayLength());
        Assert.Equal(ReplicatedEventPublisher.EntryTooLargeCode, Assert.Single(harness.LogLines).GetProperty("errorType").GetString());
    }

    /// <summary>
    /// Each result of PutEvents carries an EventId or an ErrorCode
    /// (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsResultEntry.html). One with neither
    /// says nothing of its event: it is a fault of the call and the entry is sent again, not counted as delivered.
    /// </summary>
    [Fact]
    public async Task A_result_without_an_event_id_is_sent_again_not_taken_as_delivered()
    {
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.SetupSequence(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PutEventsResponse { FailedEntryCount = 0, Entries = [new PutEventsResultEntry()] })
            .ReturnsAsync(new PutEventsResponse { FailedEntryCount = 0, Entries = [new PutEventsResultEntry { EventId = "e-1" }] });
        var harness = new Harness();
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, new ReplicatedEventSettings { MaxAttempts = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        var failed = await publisher.PublishAsync(Events(1), new(), CancellationToken.None);

        Assert.Equal(0, failed);
        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Empty(harness.LogLines);
    }

    /// <summary>
    /// Only events still pending after every attempt, each call without an answer, make an outage that pauses publishing.
    /// A call that fails inside the function (credentials that cannot be resolved right now, a bug) reached no bus and
    /// cost no timeout; a call refused for good without an answer (a request the client itself would not send) gives
    /// its events up at once and spent no retries' timeouts. Neither is an outage: the next publish calls the bus again
    /// instead of giving its events up unsent.
    /// </summary>
    [Theory]
    [MemberData(nameof(FailuresThatAreNoOutage))]
    public async Task A_failure_that_is_no_outage_does_not_pause_publishing(Exception failure, int maxAttempts, string errorType)
    {
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.Setup(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var harness = new Harness();
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, new ReplicatedEventSettings { MaxAttempts = maxAttempts, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);
        await publisher.PublishAsync(Events(1), new(), CancellationToken.None);

        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.Equal([errorType, errorType], harness.LogLines.Select(l => l.GetProperty("errorType").GetString()));
    }

    public static TheoryData<Exception, int, string> FailuresThatAreNoOutage => new()
    {
        { new InvalidOperationException("no credentials"), 1, "InvalidOperationException" },
        { new EventBridgeException("ValidationException", "not sent", isTransient: false), 3, "ValidationException" },
    };

    /// <summary>
    /// A transient failure that comes back after the invocation's deadline has cancelled the publish is given up at once,
    /// as what it is: not kept for a retry that cannot run, whose warning would say every attempt was spent.
    /// </summary>
    [Fact]
    public async Task A_transient_failure_after_the_deadline_is_given_up_at_once_without_claiming_every_attempt()
    {
        using var deadline = new CancellationTokenSource();
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.Setup(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                deadline.Cancel();
                return Task.FromException<PutEventsResponse>(new EventBridgeException("ThrottlingException", "Rate exceeded", isTransient: true, HttpStatusCode.BadRequest));
            });
        var harness = new Harness();
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, new ReplicatedEventSettings { MaxAttempts = 3 });

        Assert.Equal(1, await publisher.PublishAsync(Events(1), new(), deadline.Token));

        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Once());
        var line = Assert.Single(harness.LogLines);
        Assert.Equal("ThrottlingException", line.GetProperty("errorType").GetString());
        Assert.Contains("Rate exceeded", line.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("after 3 attempts", line.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The invocation's deadline cancels a PutEvents call in flight: the copies are done, so each of the call's events is
    /// given up as DeadlineExceeded (a warning and the ReplicatedEventsFailed metric each) and the publish returns. The
    /// cancellation must not escape, where it would turn replicated records into failures. No answer came, but the
    /// deadline is no outage: the next publish calls the bus.
    /// </summary>
    [Fact]
    public async Task A_call_the_deadline_cancels_gives_its_events_up_as_deadline_exceeded_without_throwing()
    {
        using var deadline = new CancellationTokenSource();
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        var calls = 0;
        client.Setup(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                if (++calls > 1)
                {
                    return Task.FromResult(new PutEventsResponse { FailedEntryCount = 0, Entries = [new PutEventsResultEntry { EventId = "e-1" }] });
                }

                deadline.Cancel();
                return Task.FromCanceled<PutEventsResponse>(deadline.Token);
            });
        var harness = new Harness();
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, harness.Time, new ReplicatedEventSettings { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });

        Assert.Equal(2, await publisher.PublishAsync(Events(2), new(), deadline.Token));

        Assert.Equal(["DeadlineExceeded", "DeadlineExceeded"], harness.LogLines.Select(l => l.GetProperty("errorType").GetString()));
        Assert.All(harness.LogLines, l => Assert.Contains("stopped at the invocation deadline", l.GetProperty("message").GetString(), StringComparison.Ordinal));
        Assert.Equal(2, harness.MetricLines.Count(m => m.TryGetProperty("ReplicatedEventsFailed", out _)));

        Assert.Equal(0, await publisher.PublishAsync(Events(1), new(), CancellationToken.None));
        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
    }

    /// <summary>
    /// A publish the deadline cut short during its backoff, after a call that got no answer, is no evidence of an outage:
    /// the next invocation's publish calls the bus, which takes the event, rather than giving it up as paused. The deadline
    /// falls once the backoff's timer is set, on a fake clock that never moves by itself.
    /// </summary>
    [Fact]
    public async Task A_publish_the_deadline_cut_short_in_its_backoff_does_not_pause_publishing()
    {
        using var deadline = new CancellationTokenSource();
        var client = new Mock<IEventBridgeClient>(MockBehavior.Strict);
        client.SetupSequence(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EventBridgeException("RequestTimeout", "no answer within 10 s", isTransient: true))
            .ReturnsAsync(new PutEventsResponse { FailedEntryCount = 0, Entries = [new PutEventsResultEntry { EventId = "e-1" }] });
        var harness = new Harness();
        var clock = new TimerRecordingTimeProvider(harness.Time.GetUtcNow());
        var publisher = new ReplicatedEventPublisher(client.Object, harness.Logger, harness.Metrics, clock, new ReplicatedEventSettings { MaxAttempts = 3 }, random: () => 0.5);

        var first = publisher.PublishAsync(Events(1), new(), deadline.Token);
        await clock.FirstTimer;
        await deadline.CancelAsync();
        Assert.Equal(1, await first);

        Assert.Equal(0, await publisher.PublishAsync(Events(1), new(), CancellationToken.None));
        client.Verify(c => c.PutEventsAsync(It.IsAny<PutEventsRequest>(), It.IsAny<CancellationToken>()), Times.Exactly(2));
        Assert.DoesNotContain(ReplicatedEventPublisher.PausedCode, harness.LogLines.Select(l => l.GetProperty("errorType").GetString()));

        // One call was made before the deadline: the warning says so, not the three the settings allow.
        var givenUp = Assert.Single(harness.LogLines, l => l.GetProperty("errorType").GetString() == "RequestTimeout");
        Assert.Contains("(after 1 attempt; the invocation deadline came before the next)", givenUp.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
