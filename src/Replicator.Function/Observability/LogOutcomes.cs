using Replicator.Core.Replication;

namespace Replicator.Function.Observability;

/// <summary>
/// The values of the log field <c>outcome</c>. Operators' CloudWatch Logs Insights queries filter on them
/// (docs/deploy.md), so they are a contract: written once here, and pinned, with the queries, by a test.
/// </summary>
public static class LogOutcomes
{
    /// <summary>A record, or one destination of it, failed; SQS delivers the message again.</summary>
    public const string Failed = "Failed";

    /// <summary>A FIFO group stopped after a failure; its later records are reported failed to keep order.</summary>
    public const string GroupStopped = "GroupStopped";

    /// <summary>A poison message went to the dead-letter queue with its reason.</summary>
    public const string DeadLettered = "DeadLettered";

    /// <summary>The invocation's deadline came before the record started; it is reported failed.</summary>
    public const string NotStarted = "NotStarted";

    /// <summary>The event failed validation.</summary>
    public const string Invalid = "Invalid";

    /// <summary>Nothing to do for the event (an ignored action or result); deleted from the queue.</summary>
    public const string Acknowledged = "Acknowledged";

    /// <summary>The tag did not match TAG_FILTER, or an untagged push under TAG_FILTER is no referrer; deleted from the queue.</summary>
    public const string Filtered = "Filtered";

    /// <summary>A redelivery delay was set on the message (ChangeMessageVisibility).</summary>
    public const string RedeliveryScheduled = "RedeliveryScheduled";

    /// <summary>No redelivery delay could be set; the message comes back after the queue's visibility timeout.</summary>
    public const string RedeliveryNotScheduled = "RedeliveryNotScheduled";

    /// <summary>One destination's result, named after <see cref="ReplicationOutcome"/>.</summary>
    public const string Replicated = nameof(ReplicationOutcome.Replicated);

    /// <inheritdoc cref="Replicated"/>
    public const string UpToDate = nameof(ReplicationOutcome.UpToDate);

    /// <summary>
    /// One destination's result, named after <see cref="ReplicationOutcome"/>; also a record whose repository is
    /// outside REPOSITORY_FILTER (acknowledged, never copied).
    /// </summary>
    public const string Skipped = nameof(ReplicationOutcome.Skipped);

    /// <inheritdoc cref="Replicated"/>
    public const string Deleted = nameof(ReplicationOutcome.Deleted);

    /// <summary>The source image is archived: skipped, never retried (one destination's result).</summary>
    public const string Archived = nameof(ReplicationOutcome.Archived);

    /// <summary>The reconciler found a tag or referrer a destination lacks (or holds elsewhere) and enqueued its event.</summary>
    public const string Drift = "Drift";

    /// <summary>
    /// The reconciler found a selected tag a destination holds at another digest where the tag is immutable: no event is
    /// enqueued (PutImage would refuse it); the operator deletes the destination's tag or leaves it out of TAG_FILTER.
    /// </summary>
    public const string DriftConflict = "DriftConflict";

    /// <summary>A reconcile run ended: the pass completed, or stopped before the deadline with a cursor to resume from.</summary>
    public const string Reconciled = "Reconciled";

    /// <summary>Every value the function writes in <c>outcome</c>.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Failed, GroupStopped, DeadLettered, NotStarted, Invalid, Acknowledged, Filtered, RedeliveryScheduled, RedeliveryNotScheduled, Replicated, UpToDate, Skipped, Deleted, Archived, Drift, DriftConflict, Reconciled];

    /// <summary>The log value of a destination's outcome.</summary>
    public static string Of(ReplicationOutcome outcome) => outcome switch
    {
        ReplicationOutcome.Replicated => Replicated,
        ReplicationOutcome.UpToDate => UpToDate,
        ReplicationOutcome.Skipped => Skipped,
        ReplicationOutcome.Deleted => Deleted,
        ReplicationOutcome.Archived => Archived,
        ReplicationOutcome.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "no log name"),
    };
}
