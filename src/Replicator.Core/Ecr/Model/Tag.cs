using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class Tag
{
    [JsonPropertyName("Key")]
    public string? Key { get; set; }

    [JsonPropertyName("Value")]
    public string? Value { get; set; }
}
