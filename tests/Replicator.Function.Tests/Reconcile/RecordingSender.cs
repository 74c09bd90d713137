using Replicator.Function.Enqueue;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>Keeps what would have been sent; refuses nothing.</summary>
internal sealed class RecordingSender : IMessageSender
{
    public List<IReadOnlyList<QueueMessage>> Batches { get; } = [];

    public IEnumerable<QueueMessage> Messages => Batches.SelectMany(b => b);

    public Task<IReadOnlyList<string>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        Batches.Add([.. messages]);
        return Task.FromResult<IReadOnlyList<string>>([]);
    }
}
