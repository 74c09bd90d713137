using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeImagesFilter
{
    /// <summary>One of <see cref="TagStatus"/>.</summary>
    [JsonPropertyName("tagStatus")]
    public string? TagStatus { get; set; }

    /// <summary>One of <see cref="ImageStatusFilter"/>.</summary>
    [JsonPropertyName("imageStatus")]
    public string? ImageStatus { get; set; }
}
