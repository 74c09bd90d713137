using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class UploadLayerPartResponse : EcrResponse
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("uploadId")]
    public string? UploadId { get; set; }

    [JsonPropertyName("lastByteReceived")]
    public long? LastByteReceived { get; set; }
}
