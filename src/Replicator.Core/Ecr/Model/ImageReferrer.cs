using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ImageReferrer
{
    [JsonPropertyName("digest")]
    public string? Digest { get; set; }

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }

    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; set; }

    [JsonPropertyName("size")]
    public long? Size { get; set; }

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }

    /// <summary>One of <see cref="ArtifactStatus"/>.</summary>
    [JsonPropertyName("artifactStatus")]
    public string? ArtifactStatus { get; set; }
}
