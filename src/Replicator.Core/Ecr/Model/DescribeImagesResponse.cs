using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeImagesResponse : EcrResponse
{
    [JsonPropertyName("imageDetails")]
    public List<ImageDetail>? ImageDetails { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }
}
