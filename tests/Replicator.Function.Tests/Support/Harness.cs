using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Replication;
using Replicator.Function.Configuration;
using Replicator.Function.DeadLetter;
using Replicator.Function.Observability;
using Replicator.Function.Processing;

namespace Replicator.Function.Tests.Support;

/// <summary>A batch processor wired to fakes, with the output captured.</summary>
public sealed class Harness
{
    public Harness(FunctionConfig? config = null, bool withDeadLetterQueue = true, BatchProcessorOptions? options = null, LogLevel level = LogLevel.Debug)
    {
        Config = config ?? DefaultConfig;
        Logger = new FunctionLogger(new OutputSink(Output), level, LogFormat.Json, Time);
        Metrics = new MetricsWriter(new OutputSink(Output), Config.MetricsNamespace, Time);
        Handler = new RecordHandler(Config, Replicator, Logger, Metrics, Time);
        Processor = new BatchProcessor(Handler, withDeadLetterQueue ? DeadLetter : null, Logger, options ?? new BatchProcessorOptions());
    }

    public static FunctionConfig DefaultConfig { get; } = new()
    {
        Region = "us-east-1",
        Destinations = [new ReplicationDestination("us-west-2"), new ReplicationDestination("eu-west-1", "111111111111")],
    };

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 4, 0, 30, TimeSpan.Zero));

    public StringWriter Output { get; } = new();

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

    public FakeLambdaContext Context(TimeSpan? timeout = null) => new(Time, timeout ?? TimeSpan.FromMinutes(5));
}
