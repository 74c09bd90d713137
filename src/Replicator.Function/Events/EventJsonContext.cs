using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>Source-generated JSON for the invocation payload and response and the events the function and the CLI enqueue (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 16)]
[JsonSerializable(typeof(SQSEvent))]
[JsonSerializable(typeof(SQSBatchResponse))]
[JsonSerializable(typeof(EcrImageActionEvent))]
[JsonSerializable(typeof(ScheduledEvent))]
[JsonSerializable(typeof(ReconcileResponse))]
public sealed partial class EventJsonContext : JsonSerializerContext;
