using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageScanFindingsSummary
{
    [JsonPropertyName("imageScanCompletedAt")]
    public DateTimeOffset? ImageScanCompletedAt { get; set; }

    [JsonPropertyName("vulnerabilitySourceUpdatedAt")]
    public DateTimeOffset? VulnerabilitySourceUpdatedAt { get; set; }

    [JsonPropertyName("findingSeverityCounts")]
    public Dictionary<string, int>? FindingSeverityCounts { get; set; }
}
