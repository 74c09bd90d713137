using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

public sealed class BatchItemFailure
{
    [JsonPropertyName("itemIdentifier")]
    public required string ItemIdentifier { get; init; }
}
