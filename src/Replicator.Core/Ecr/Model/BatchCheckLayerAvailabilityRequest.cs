using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class BatchCheckLayerAvailabilityRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("layerDigests")]
    public List<string>? LayerDigests { get; set; }
}
