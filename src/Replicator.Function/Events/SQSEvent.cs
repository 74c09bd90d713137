using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>The event Lambda's SQS event source mapping delivers: a batch of messages.</summary>
public sealed class SQSEvent
{
    [JsonPropertyName("Records")]
    public IList<SQSMessage> Records { get; init; } = [];
}
