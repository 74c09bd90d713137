using System.Text.Json.Serialization;

namespace Replicator.Function.ReplicatedEvents;

/// <summary>Source-generated JSON for the replicated event's detail (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReplicatedEventDetail))]
internal sealed partial class ReplicatedEventJsonContext : JsonSerializerContext;
