namespace Replicator.Function.Processing;

public enum RecordOutcome
{
    /// <summary>Replicated (or deleted) in every destination.</summary>
    Succeeded,

    /// <summary>Nothing to do (filtered, ignored action or result): delete from the queue.</summary>
    Acknowledged,

    /// <summary>May succeed later: report failed so SQS delivers it again.</summary>
    TransientFailure,

    /// <summary>Will never succeed (poison): dead-letter it, or report it failed when that is not possible.</summary>
    PermanentFailure,
}
