using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class SetRepositoryPolicyResponse : EcrResponse
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("policyText")]
    public string? PolicyText { get; set; }
}
