using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class SetRepositoryPolicyRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("policyText")]
    public string? PolicyText { get; set; }

    [JsonPropertyName("force")]
    public bool? Force { get; set; }
}
