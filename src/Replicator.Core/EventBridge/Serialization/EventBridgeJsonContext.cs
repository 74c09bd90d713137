using System.Text.Json.Serialization;
using Replicator.Core.Ecr.Serialization;
using Replicator.Core.EventBridge.Model;

namespace Replicator.Core.EventBridge.Serialization;

/// <summary>
/// The source-generated serializer of the EventBridge shapes (Native AOT: no reflection). Nulls are omitted, and
/// timestamps are epoch seconds, as in every AWS JSON 1.1 service.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(EpochSecondsConverter)])]
[JsonSerializable(typeof(PutEventsRequest))]
[JsonSerializable(typeof(PutEventsResponse))]
internal sealed partial class EventBridgeJsonContext : JsonSerializerContext
{
}
