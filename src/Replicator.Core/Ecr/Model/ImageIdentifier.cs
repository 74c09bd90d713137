using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageIdentifier
{
    [JsonPropertyName("imageDigest")]
    public string? ImageDigest { get; set; }

    [JsonPropertyName("imageTag")]
    public string? ImageTag { get; set; }
}
