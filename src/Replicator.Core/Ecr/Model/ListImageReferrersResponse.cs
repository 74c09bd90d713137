using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListImageReferrersResponse : EcrResponse
{
    [JsonPropertyName("referrers")]
    public List<ImageReferrer>? Referrers { get; set; }

    [JsonPropertyName("nextToken")]
    public string? NextToken { get; set; }
}
