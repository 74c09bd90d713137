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

        Sent.Enqueue(message);
        return Task.CompletedTask;
    }
}
