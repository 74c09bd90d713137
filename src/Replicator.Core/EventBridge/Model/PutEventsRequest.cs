using System.Text.Json.Serialization;

namespace Replicator.Core.EventBridge.Model;

/// <summary>
/// <c>PutEvents</c>'s input (botocore's EventBridge model, <c>PutEventsRequest</c>): 1 to 10 entries. The optional
/// <c>EndpointId</c> (global endpoints, signed with SigV4a) is not supported.
/// </summary>
public sealed class PutEventsRequest
{
    [JsonPropertyName("Entries")]
    public List<PutEventsRequestEntry> Entries { get; set; } = [];
}
