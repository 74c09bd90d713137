using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class Layer
{
    [JsonPropertyName("layerDigest")]
    public string? LayerDigest { get; set; }

    /// <summary>One of <see cref="LayerAvailability"/>.</summary>
    [JsonPropertyName("layerAvailability")]
    public string? LayerAvailability { get; set; }

    [JsonPropertyName("layerSize")]
    public long? LayerSize { get; set; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }
}
