using System.Collections.Concurrent;
using Replicator.Function.DeadLetter;

namespace Replicator.Function.Tests.Support;

public sealed class FakeDeadLetterQueue : IDeadLetterQueue
{
    public bool Fail { get; set; }

    /// <summary>Message ids whose send fails (SQS throttling one send, say), the others going through.</summary>
    public HashSet<string> FailFor { get; } = [];

    public ConcurrentQueue<DeadLetterMessage> Sent { get; } = new();

    public Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
    {
        if (Fail || FailFor.Contains(message.DeduplicationId))
        {
            throw new HttpRequestException("SQS unavailable");
        }

        // As the SDK does: a send given a cancelled token never reaches SQS.
        cancellationToken.ThrowIfCancellationRequested();

        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
