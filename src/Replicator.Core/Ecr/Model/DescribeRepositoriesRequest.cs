using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeRepositoriesRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryNames")]
    public List<string>? RepositoryNames { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }

    [JsonPropertyName("maxResults")]
    public int? MaxResults { get; set; }
}
