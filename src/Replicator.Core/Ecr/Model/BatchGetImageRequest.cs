using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class BatchGetImageRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageIds")]
    public List<ImageIdentifier>? ImageIds { get; set; }

    [JsonPropertyName("acceptedMediaTypes")]
    public List<string>? AcceptedMediaTypes { get; set; }
}
