namespace Replicator.Function.Enqueue;

/// <summary>
/// One message of a batch the queue did not take: <see cref="Index"/> is its place in the list given to
/// <see cref="IMessageSender.SendBatchAsync"/>, so the caller names the image it stood for; <see cref="Code"/> and
/// <see cref="Reason"/> are SQS's (BatchResultErrorEntry).
/// </summary>
public sealed record MessageRefusal(int Index, string Code, string Reason)
{
    public override string ToString() => $"{Code}: {Reason}";
}
