using System.Text.Json.Serialization;

namespace Replicator.Core.EventBridge.Model;

/// <summary>The result of one entry: <see cref="EventId"/> when accepted, <see cref="ErrorCode"/> and <see cref="ErrorMessage"/> when not.</summary>
public sealed class PutEventsResultEntry
{
    [JsonPropertyName("EventId")]
    public string? EventId { get; set; }

    [JsonPropertyName("ErrorCode")]
    public string? ErrorCode { get; set; }

    [JsonPropertyName("ErrorMessage")]
    public string? ErrorMessage { get; set; }
}
