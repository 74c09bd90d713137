using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class GetLifecyclePolicyResponse : EcrResponse
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("lifecyclePolicyText")]
    public string? LifecyclePolicyText { get; set; }

    [JsonPropertyName("lastEvaluatedAt")]
    public DateTimeOffset? LastEvaluatedAt { get; set; }
}
