using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>
/// The wire form of the event's detail; for a push by digest (children of an index, attestations) <c>image-tag</c> is absent
/// in AWS's documented example and empty in the events ECR sends, and the parser reads both as untagged.
/// </summary>
public sealed record EcrImageActionDetail
{
    [JsonPropertyName("result")]
    public string Result { get; init; } = ImageAction.Success;

    [JsonPropertyName("repository-name")]
    public required string RepositoryName { get; init; }

    [JsonPropertyName("image-digest")]
    public required string ImageDigest { get; init; }

    [JsonPropertyName("action-type")]
    public string ActionType { get; init; } = ImageAction.Push;

    [JsonPropertyName("image-tag")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageTag { get; init; }
}
