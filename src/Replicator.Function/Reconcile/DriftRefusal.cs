using Replicator.Core.Reconciliation;

namespace Replicator.Function.Reconcile;

/// <summary>A drift whose event did not reach the queue: SQS refused it, or its batch could not be sent.</summary>
public sealed record DriftRefusal(DriftItem Item, string Reason)
{
    /// <summary>What the event was for, by repository, tag and digest, and why it was not queued.</summary>
    public string Describe() =>
        $"{(Item.IsDelete ? "DELETE" : "PUSH")} event of {Item.Repository}{(Item.Tag is null ? string.Empty : ":" + Item.Tag)} ({Item.Digest}): {Reason}";
}
