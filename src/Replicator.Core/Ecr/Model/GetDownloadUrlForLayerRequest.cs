using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class GetDownloadUrlForLayerRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("layerDigest")]
    public string? LayerDigest { get; set; }
}
