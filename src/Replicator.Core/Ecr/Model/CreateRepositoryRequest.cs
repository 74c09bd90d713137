using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class CreateRepositoryRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("tags")]
    public List<Tag>? Tags { get; set; }

    /// <summary>One of <see cref="ImageTagMutability"/>.</summary>
    [JsonPropertyName("imageTagMutability")]
    public string? ImageTagMutability { get; set; }

    [JsonPropertyName("imageTagMutabilityExclusionFilters")]
    public List<ImageTagMutabilityExclusionFilter>? ImageTagMutabilityExclusionFilters { get; set; }

    [JsonPropertyName("imageScanningConfiguration")]
    public ImageScanningConfiguration? ImageScanningConfiguration { get; set; }

    [JsonPropertyName("encryptionConfiguration")]
    public EncryptionConfiguration? EncryptionConfiguration { get; set; }
}
