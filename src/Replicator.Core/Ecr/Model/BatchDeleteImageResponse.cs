using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class BatchDeleteImageResponse : EcrResponse
{
    [JsonPropertyName("imageIds")]
    public List<ImageIdentifier>? ImageIds { get; set; }

    [JsonPropertyName("failures")]
    public List<ImageFailure>? Failures { get; set; }
}
