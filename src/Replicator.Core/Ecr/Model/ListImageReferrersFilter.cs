using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class ListImageReferrersFilter
{
    [JsonPropertyName("artifactTypes")]
    public List<string>? ArtifactTypes { get; set; }

    /// <summary>One of <see cref="ArtifactStatusFilter"/>.</summary>
    [JsonPropertyName("artifactStatus")]
    public string? ArtifactStatus { get; set; }
}
