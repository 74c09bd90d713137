using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageTagMutabilityExclusionFilter
{
    /// <summary>One of <see cref="ImageTagMutabilityExclusionFilterType"/>.</summary>
    [JsonPropertyName("filterType")]
    public string? FilterType { get; set; }

    [JsonPropertyName("filter")]
    public string? Filter { get; set; }
}
