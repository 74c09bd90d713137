using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class GetAuthorizationTokenRequest
{
    [JsonPropertyName("registryIds")]
    public List<string>? RegistryIds { get; set; }
}
