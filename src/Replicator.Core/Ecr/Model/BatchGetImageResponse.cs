using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class BatchGetImageResponse : EcrResponse
{
    [JsonPropertyName("images")]
    public List<Image>? Images { get; set; }

    [JsonPropertyName("failures")]
    public List<ImageFailure>? Failures { get; set; }
}
