using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class PutImageResponse : EcrResponse
{
    [JsonPropertyName("image")]
    public Image? Image { get; set; }
}
