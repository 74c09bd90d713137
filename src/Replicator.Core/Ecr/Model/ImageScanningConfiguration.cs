using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageScanningConfiguration
{
    [JsonPropertyName("scanOnPush")]
    public bool? ScanOnPush { get; set; }
}
