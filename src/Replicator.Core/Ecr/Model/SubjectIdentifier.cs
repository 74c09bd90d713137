using System.Text.Json.Serialization;

namespace Replicator.Core.Ecr.Model;

public sealed class SubjectIdentifier
{
    [JsonPropertyName("imageDigest")]
    public string? ImageDigest { get; set; }
}
