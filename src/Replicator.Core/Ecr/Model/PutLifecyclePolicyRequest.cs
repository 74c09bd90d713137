using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class PutLifecyclePolicyRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("lifecyclePolicyText")]
    public string? LifecyclePolicyText { get; set; }
}
