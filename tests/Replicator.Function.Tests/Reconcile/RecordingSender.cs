using Replicator.Function.Enqueue;

namespace Replicator.Function.Tests.Reconcile;

/// <summary>
/// Keeps what would have been sent. Refuses nothing unless told: <see cref="FailCalls"/> names calls (1-based) that
/// throw, as a SendMessageBatch whose retries are spent would; <see cref="Refuse"/> picks entries the queue refuses.
/// </summary>
internal sealed class RecordingSender : IMessageSender
{
    public List<IReadOnlyList<QueueMessage>> Batches { get; } = [];

    public IEnumerable<QueueMessage> Messages => Batches.SelectMany(b => b);

    /// <summary>The size of every call, the failed ones included.</summary>
    public List<int> Attempts { get; } = [];

    public HashSet<int> FailCalls { get; } = [];

    public Func<QueueMessage, bool>? Refuse { get; init; }

    public Task<IReadOnlyList<MessageRefusal>> SendBatchAsync(IReadOnlyList<QueueMessage> messages, CancellationToken cancellationToken)
    {
        Attempts.Add(messages.Count);
        if (FailCalls.Contains(Attempts.Count))
        {
            throw new HttpRequestException("the queue could not be reached (test)");
        }

        var refused = messages.Select((m, i) => (m, i)).Where(e => Refuse?.Invoke(e.m) == true).Select(e => new MessageRefusal(e.i, "InvalidParameterValue", "refused by the test")).ToList();
        Batches.Add([.. messages.Where((_, i) => refused.All(r => r.Index != i))]);
        return Task.FromResult<IReadOnlyList<MessageRefusal>>(refused);
    }
}
