using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>The wire form of the EventBridge "ECR Image Action" event, field for field as ECR emits it; <see cref="EcrEventParser"/> validates it into an <see cref="ImageAction"/> (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html).</summary>
public sealed record EcrImageActionEvent
{
    [JsonPropertyName("version")]
    public string Version { get; init; } = "0";

    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("detail-type")]
    public string DetailType { get; init; } = EcrEventParser.ExpectedDetailType;

    [JsonPropertyName("source")]
    public string Source { get; init; } = EcrEventParser.ExpectedSource;

    [JsonPropertyName("account")]
    public required string Account { get; init; }

    [JsonPropertyName("time")]
    public required string Time { get; init; }

    [JsonPropertyName("region")]
    public required string Region { get; init; }

    [JsonPropertyName("resources")]
    public IReadOnlyList<string> Resources { get; init; } = [];

    [JsonPropertyName("detail")]
    public required EcrImageActionDetail Detail { get; init; }
}
