using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class UntagResourceRequest
{
    [JsonPropertyName("resourceArn")]
    public string? ResourceArn { get; set; }

    [JsonPropertyName("tagKeys")]
    public List<string>? TagKeys { get; set; }
}
