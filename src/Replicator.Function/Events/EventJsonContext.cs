using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>Source-generated JSON for the invocation payload and response (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, MaxDepth = 16)]
[JsonSerializable(typeof(SQSEvent))]
[JsonSerializable(typeof(SQSBatchResponse))]
public sealed partial class EventJsonContext : JsonSerializerContext;
