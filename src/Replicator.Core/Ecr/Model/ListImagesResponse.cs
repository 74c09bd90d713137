using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListImagesResponse : EcrResponse
{
    [JsonPropertyName("imageIds")]
    public List<ImageIdentifier>? ImageIds { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }
}
