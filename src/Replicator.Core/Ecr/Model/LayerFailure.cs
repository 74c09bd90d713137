using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class LayerFailure
{
    [JsonPropertyName("layerDigest")]
    public string? LayerDigest { get; set; }

    /// <summary>One of <see cref="LayerFailureCode"/>.</summary>
    [JsonPropertyName("failureCode")]
    public string? FailureCode { get; set; }

    [JsonPropertyName("failureReason")]
    public string? FailureReason { get; set; }
}
