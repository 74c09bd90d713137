using System.Text.Json.Serialization;

namespace Replicator.Function.Events;

/// <summary>One SQS message of a batch; <see cref="Attributes"/> hold MessageGroupId for FIFO queues (all values are strings).</summary>
public sealed class SQSMessage
{
    public const string MessageGroupIdAttribute = "MessageGroupId";

    [JsonPropertyName("messageId")]
    public string? MessageId { get; init; }

    [JsonPropertyName("receiptHandle")]
    public string? ReceiptHandle { get; init; }

    [JsonPropertyName("body")]
    public string? Body { get; init; }

    [JsonPropertyName("attributes")]
    public IDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("messageAttributes")]
    public IDictionary<string, SQSMessageAttribute> MessageAttributes { get; init; } = new Dictionary<string, SQSMessageAttribute>();

    [JsonPropertyName("md5OfBody")]
    public string? Md5OfBody { get; init; }

    [JsonPropertyName("eventSource")]
    public string? EventSource { get; init; }

    [JsonPropertyName("eventSourceARN")]
    public string? EventSourceArn { get; init; }

    [JsonPropertyName("awsRegion")]
    public string? AwsRegion { get; init; }

    /// <summary>
    /// Who enqueued the event when the replicator did (<see cref="Enqueue.SenderAttribute"/>: a reconcile pass,
    /// <c>replicator sync --enqueue</c>); null for an event the intake pipe forwarded from a push.
    /// </summary>
    /// <remarks>
    /// A payload without <c>messageAttributes</c> leaves the dictionary null once deserialized, so that is read as
    /// unmarked; so is an attribute written as null in a hand-made payload (Lambda sends an object for each), which
    /// threw here on every receive, as a transient failure, and failed the record's dead-letter send as well.
    /// </remarks>
    [JsonIgnore]
    public string? Sender => MessageAttributes is { } attributes && attributes.TryGetValue(Enqueue.SenderAttribute.Name, out var sender) ? sender?.StringValue : null;

    /// <remarks>
    /// The source generator sets an init-only member the payload lacks to null, whatever its initializer says: a record
    /// without <c>attributes</c> (a hand-made event) is read as one without a group, not as a NullReferenceException that
    /// would fail the whole batch with no word of why.
    /// </remarks>
    [JsonIgnore]
    public string? MessageGroupId => Attribute(MessageGroupIdAttribute);

    /// <summary>The system attribute <paramref name="name"/>; null when absent, or when the record has no attributes at all.</summary>
    public string? Attribute(string name) => Attributes is { } attributes && attributes.TryGetValue(name, out var value) ? value : null;
}
