using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeImageSigningStatusResponse : EcrResponse
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageId")]
    public ImageIdentifier? ImageId { get; set; }

    /// <summary>One per signing profile whose rule matched the image; empty when none did.</summary>
    [JsonPropertyName("signingStatuses")]
    public List<ImageSigningStatus>? SigningStatuses { get; set; }
}
