using System.Text.Json.Serialization;

namespace Replicator.Core.EventBridge.Model;

/// <summary>
/// <c>PutEvents</c>'s output: one result per request entry, in the request's order, each with an <c>EventId</c>
/// or an <c>ErrorCode</c> (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevents.html, "Handling failures").
/// </summary>
public sealed class PutEventsResponse
{
    [JsonPropertyName("FailedEntryCount")]
    public int? FailedEntryCount { get; set; }

    [JsonPropertyName("Entries")]
    public List<PutEventsResultEntry>? Entries { get; set; }
}
