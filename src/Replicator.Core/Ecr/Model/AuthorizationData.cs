using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class AuthorizationData
{
    [JsonPropertyName("authorizationToken")]
    public string? AuthorizationToken { get; set; }

    [JsonPropertyName("expiresAt")]
    public DateTimeOffset? ExpiresAt { get; set; }

    [JsonPropertyName("proxyEndpoint")]
    public string? ProxyEndpoint { get; set; }
}
