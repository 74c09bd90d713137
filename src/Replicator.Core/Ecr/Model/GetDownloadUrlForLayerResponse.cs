using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class GetDownloadUrlForLayerResponse : EcrResponse
{
    [JsonPropertyName("downloadUrl")]
    public string? DownloadUrl { get; set; }

    [JsonPropertyName("layerDigest")]
    public string? LayerDigest { get; set; }
}
