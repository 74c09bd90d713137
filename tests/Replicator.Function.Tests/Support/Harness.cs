using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.EventBridge;
using Replicator.Core.Replication;
using Replicator.Function.Configuration;
using Replicator.Function.DeadLetter;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Redelivery;
using Replicator.Function.ReplicatedEvents;
using Replicator.Testing;

namespace Replicator.Function.Tests.Support;

/// <summary>A batch processor wired to fakes, with the output captured.</summary>
public sealed class Harness
{
    /// <param name="eventBridge">With <c>Config.ReplicatedEventBus</c> set: the PutEvents client of the replicated events (no backoff delays).</param>
    public Harness(FunctionConfig? config = null, bool withDeadLetterQueue = true, BatchProcessorOptions? options = null, LogLevel level = LogLevel.Debug, IEventBridgeClient? eventBridge = null)
    {
        Config = config ?? DefaultConfig;

        // One sink for both, as in FunctionHost: the sink's lock is what keeps a log line and an EMF line written
        // from two threads (groups run concurrently) from interleaving in the shared StringWriter.
        var sink = new OutputSink(Output);
        Logger = new FunctionLogger(sink, level, LogFormat.Json, Time);
        Metrics = new MetricsWriter(sink, Config.MetricsNamespace, Time);
        var events = eventBridge is null ? null : new ReplicatedEventPublisher(eventBridge, Logger, Metrics, Time, new ReplicatedEventSettings { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        Handler = new RecordHandler(Config, Replicator, Logger, Metrics, Time, events);
        Processor = new BatchProcessor(Handler, withDeadLetterQueue ? DeadLetter : null, Logger, options ?? new BatchProcessorOptions(), time: Time);
    }

    public static FunctionConfig DefaultConfig { get; } = new()
    {
        Region = "us-east-1",
        Destinations = [new ReplicationDestination("us-west-2"), new ReplicationDestination("eu-west-1", "111111111111")],
    };

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 4, 0, 30, TimeSpan.Zero));

    public StringWriter Output { get; } = new SynchronizedStringWriter();

    public FakeReplicator Replicator { get; } = new();

    public FakeDeadLetterQueue DeadLetter { get; } = new();

    public FunctionConfig Config { get; }

    public FunctionLogger Logger { get; }

    public MetricsWriter Metrics { get; }

    public RecordHandler Handler { get; }

    public BatchProcessor Processor { get; }

    public IReadOnlyList<JsonElement> Lines => Output.ToString()
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => JsonDocument.Parse(line).RootElement.Clone())
        .ToArray();

    public IEnumerable<JsonElement> LogLines => Lines.Where(l => !l.TryGetProperty("_aws", out _));

    public IEnumerable<JsonElement> MetricLines => Lines.Where(l => l.TryGetProperty("_aws", out _));

    /// <summary>A processor over this harness whose redelivery delays go to <paramref name="visibility"/>, with the jitter fixed at <paramref name="random"/>.</summary>
    public BatchProcessor ProcessorWithRedelivery(RecordingMessageVisibility visibility, BatchProcessorOptions? options = null, double random = 0.0) =>
        new(Handler, DeadLetter, Logger, options ?? new BatchProcessorOptions(), new RedeliveryScheduler(visibility, new RedeliverySettings(), null, Logger, () => random), Time);

    public FakeLambdaContext Context(TimeSpan? timeout = null) => new(Time, timeout ?? TimeSpan.FromMinutes(5));
}
