using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeImagesRequest
{
    [JsonPropertyName("registryId")]
    public string? RegistryId { get; set; }

    [JsonPropertyName("repositoryName")]
    public string? RepositoryName { get; set; }

    [JsonPropertyName("imageIds")]
    public List<ImageIdentifier>? ImageIds { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }

    [JsonPropertyName("maxResults")]
    public int? MaxResults { get; set; }

    [JsonPropertyName("filter")]
    public DescribeImagesFilter? Filter { get; set; }
}
