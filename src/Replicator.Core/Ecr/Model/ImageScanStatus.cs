using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageScanStatus
{
    /// <summary>One of <see cref="ScanStatus"/>.</summary>
    [JsonPropertyName("status")]
    public string? Status { get; set; }

    [JsonPropertyName("description")]
    public string? Description { get; set; }
}
