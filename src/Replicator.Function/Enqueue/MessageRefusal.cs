namespace Replicator.Function.Enqueue;

/// <summary>
/// One message of a batch the queue did not take: <see cref="Index"/> is its place in the list given to
/// <see cref="IMessageSender.SendBatchAsync"/>, so the caller names the image it stood for; <see cref="Code"/> and
/// <see cref="Reason"/> are SQS's (BatchResultErrorEntry).
/// </summary>
public sealed record MessageRefusal(int Index, string Code, string Reason)
{
    /// <summary>
    /// True when the caller's own token was cancelled before this entry could be sent again (SQS had failed it on its
    /// side): not the queue's refusal, and the entry is not queued. A caller that keeps a place (the reconciler's
    /// cursor) goes back to it, as for a batch its cancellation cut short.
    /// </summary>
    public bool Cancelled { get; init; }

    public override string ToString() => $"{Code}: {Reason}";
}
