using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class GetAuthorizationTokenResponse : EcrResponse
{
    [JsonPropertyName("authorizationData")]
    public List<AuthorizationData>? AuthorizationData { get; set; }
}
