using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListTagsForResourceResponse : EcrResponse
{
    [JsonPropertyName("tags")]
    public List<Tag>? Tags { get; set; }
}
