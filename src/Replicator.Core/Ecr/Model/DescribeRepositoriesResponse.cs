using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class DescribeRepositoriesResponse : EcrResponse
{
    [JsonPropertyName("repositories")]
    public List<Repository>? Repositories { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }
}
