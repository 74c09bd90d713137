using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>The partial batch response: the messages SQS must deliver again. Empty means the whole batch succeeded.</summary>
public sealed class SQSBatchResponse
{
    [JsonPropertyName("batchItemFailures")]
    public IList<BatchItemFailure> BatchItemFailures { get; init; } = [];
}
