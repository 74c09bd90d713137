using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class Image
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageId")]
    public ImageIdentifier? ImageId { get; set; }

    [JsonPropertyName("imageManifest")]
    public string? ImageManifest { get; set; }

    [JsonPropertyName("imageManifestMediaType")]
    public string? ImageManifestMediaType { get; set; }
}
