namespace Replicator.Function.DeadLetter;

/// <summary>
/// A poison message on its way to the dead-letter queue: the original body and group, plus why it was refused, and the
/// <see cref="Enqueue.SenderAttribute"/> it carried, if any, so a redrive to the replication queue is still known as
/// the replicator's own message and stays out of ReplicationLatency.
/// </summary>
public sealed record DeadLetterMessage(string Body, string? MessageGroupId, string DeduplicationId, string Reason, string ErrorType, string? Sender = null)
{
    public const string ErrorAttribute = "ReplicatorError";
    public const string ErrorTypeAttribute = "ReplicatorErrorType";
}
