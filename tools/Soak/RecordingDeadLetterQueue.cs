using System.Collections.Concurrent;
using Replicator.Function.DeadLetter;

namespace Soak;

/// <summary>
/// The dead-letter queue: messages the function sends itself (poison) and messages SQS redrives after
/// maxReceiveCount failed receives. Keyed by message id (the function uses it as the deduplication id).
/// </summary>
public sealed class RecordingDeadLetterQueue : IDeadLetterQueue
{
    public ConcurrentDictionary<string, DeadLetterMessage> Messages { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Duplicates { get; } = new();

    public Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Add(message);
        return Task.CompletedTask;
    }

    public void Add(DeadLetterMessage message)
    {
        if (!Messages.TryAdd(message.DeduplicationId, message))
        {
            Duplicates.Enqueue(message.DeduplicationId);
        }
    }
}
