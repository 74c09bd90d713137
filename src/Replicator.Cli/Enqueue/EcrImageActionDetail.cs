using System.Text.Json.Serialization;

namespace Replicator.Cli.Enqueue;

/// <summary>The event's detail; <c>image-tag</c> is absent for a push by digest (children of an index, attestations).</summary>
public sealed record EcrImageActionDetail
{
    [JsonPropertyName("result")]
    public string Result { get; init; } = "SUCCESS";

    [JsonPropertyName("repository-name")]
    public required string RepositoryName { get; init; }

    [JsonPropertyName("image-digest")]
    public required string ImageDigest { get; init; }

    [JsonPropertyName("action-type")]
    public string ActionType { get; init; } = "PUSH";

    [JsonPropertyName("image-tag")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageTag { get; init; }
}
