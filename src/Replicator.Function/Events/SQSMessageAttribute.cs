using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

public sealed class SQSMessageAttribute
{
    [JsonPropertyName("stringValue")]
    public string? StringValue { get; init; }

    [JsonPropertyName("binaryValue")]
    public string? BinaryValue { get; init; }

    [JsonPropertyName("dataType")]
    public string? DataType { get; init; }
}
