using System.Collections.Concurrent;
using Replicator.Function.DeadLetter;

namespace Replicator.Function.Tests.Support;

public sealed class FakeDeadLetterQueue : IDeadLetterQueue
{
    public bool Fail { get; set; }

    public ConcurrentQueue<DeadLetterMessage> Sent { get; } = new();

    public Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new HttpRequestException("SQS unavailable");
        }

        // As the SDK does: a send given a cancelled token never reaches SQS.
        cancellationToken.ThrowIfCancellationRequested();

        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
