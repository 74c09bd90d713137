namespace Replicator.Function.Enqueue;

/// <summary>One FIFO message: the body, its message group and its deduplication id.</summary>
public sealed record QueueMessage(string Body, string GroupId, string DeduplicationId)
{
    /// <summary>Sent as the <see cref="SenderAttribute.Name"/> message attribute when set: who enqueued the event.</summary>
    public string? Sender { get; init; }
}
