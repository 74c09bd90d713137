namespace Replicator.Function.Enqueue;

/// <summary>
/// Sends up to 10 messages in one request; returns one <see cref="MessageRefusal"/> per message the queue refused. A
/// request that fails as a whole throws.
/// </summary>
public interface IMessageSender
{
    Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken);
}
