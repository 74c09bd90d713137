using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListTagsForResourceRequest
{
    [JsonPropertyName("resourceArn")]
    public string? ResourceArn { get; set; }
}
