using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class BatchCheckLayerAvailabilityResponse : EcrResponse
{
    [JsonPropertyName("layers")]
    public List<Layer>? Layers { get; set; }

    [JsonPropertyName("failures")]
    public List<LayerFailure>? Failures { get; set; }
}
