namespace Replicator.Function.Enqueue;

/// <summary>Sends up to 10 messages in one request; returns one error line per message the queue refused.</summary>
public interface IMessageSender
{
    Task<IReadOnlyList<string>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken);
}
