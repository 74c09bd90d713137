using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeImageSigningStatusRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageId")]
    public ImageIdentifier? ImageId { get; set; }
}
