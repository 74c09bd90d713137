using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListImagesRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }

    [JsonPropertyName("maxResults")]
    public int? MaxResults { get; set; }

    [JsonPropertyName("filter")]
    public ListImagesFilter? Filter { get; set; }
}
