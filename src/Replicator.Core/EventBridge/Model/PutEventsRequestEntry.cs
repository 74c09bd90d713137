using System.Text.Json.Serialization;

namespace Replicator.Core.EventBridge.Model;

/// <summary>One event (botocore's EventBridge model, <c>PutEventsRequestEntry</c>); names as on the wire.</summary>
public sealed class PutEventsRequestEntry
{
    /// <summary>The event's <c>time</c>; unset means when EventBridge received it. Sent as epoch seconds (AWS JSON 1.1 timestamps).</summary>
    [JsonPropertyName("Time")]
    public DateTimeOffset? Time { get; set; }

    [JsonPropertyName("Source")]
    public string? Source { get; set; }

    /// <summary>ARNs the event concerns; each at most 2048 characters (model: <c>EventResource</c>).</summary>
    [JsonPropertyName("Resources")]
    public List<string>? Resources { get; set; }

    [JsonPropertyName("DetailType")]
    public string? DetailType { get; set; }

    /// <summary>A JSON object, as a string.</summary>
    [JsonPropertyName("Detail")]
    public string? Detail { get; set; }

    /// <summary>A bus name or ARN; unset means the account's <c>default</c> bus.</summary>
    [JsonPropertyName("EventBusName")]
    public string? EventBusName { get; set; }
}
