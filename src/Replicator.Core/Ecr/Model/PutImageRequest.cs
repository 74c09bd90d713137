using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class PutImageRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageManifest")]
    public string? ImageManifest { get; set; }

    [JsonPropertyName("imageManifestMediaType")]
    public string? ImageManifestMediaType { get; set; }

    [JsonPropertyName("imageTag")]
    public string? ImageTag { get; set; }

    [JsonPropertyName("imageDigest")]
    public string? ImageDigest { get; set; }
}
