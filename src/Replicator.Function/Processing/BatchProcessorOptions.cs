namespace Replicator.Function.Processing;

public sealed record BatchProcessorOptions
{
    /// <summary>
    /// No record starts once its copy would have less than this share of the invocation's time before the copies' token
    /// fires (<see cref="CopyStopBeforeDeadline"/> before the deadline)...
    /// </summary>
    public double DeadlineMarginFraction { get; init; } = 0.1;

    /// <summary>...or less than this, whichever is larger: a copy needs some seconds to be worth starting.</summary>
    public TimeSpan MinimumDeadlineMargin { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Message groups processed at once (a FIFO batch holds at most 10 messages).</summary>
    public int MaxConcurrentGroups { get; init; } = 10;

    /// <summary>Upper bound of the ChangeMessageVisibility calls of one group (they run after the group's records).</summary>
    public TimeSpan RedeliveryCallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Upper bound of one dead-letter send. Its own limit, not the invocation's token: that token is cancelled at the
    /// deadline, which is exactly when a record on its last receive still has to reach the dead-letter queue.
    /// </summary>
    public TimeSpan DeadLetterCallTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The processor answers this long before the invocation's deadline at the latest, leaving the runtime the time to
    /// serialize the partial-batch response and post it to the Runtime API (a local HTTP call). An answer that misses
    /// the deadline is a timeout: Lambda then counts the whole batch failed and SQS redelivers every record, the
    /// copied ones too, after the visibility timeout
    /// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html). Above the runtime loop's own
    /// reserve (500 ms, when the handler's token fires), so the answer is ready before that token cancels anything.
    /// </summary>
    public TimeSpan ResponseReserve { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The copies' token fires this long before the deadline (11 s by default), leaving the bookkeeping after a copy
    /// one dead-letter send and one group's ChangeMessageVisibility calls at their full timeouts, then the response's
    /// reserve. A group's dead-letter sends share their part: together they end <see cref="RedeliveryCallTimeout"/>
    /// before the answer is due (one send for a failed record on its last receive, one for each follower on its last
    /// receive), so the group's visibility calls always keep theirs. A send not done, or not made, by then leaves its
    /// record reported failed, so SQS delivers it again.
    /// </summary>
    public TimeSpan CopyStopBeforeDeadline => DeadLetterCallTimeout + RedeliveryCallTimeout + ResponseReserve;

    /// <summary>
    /// The shortest invocation in which a record can run: the copies' token fires <see cref="CopyStopBeforeDeadline"/>
    /// before the deadline, and a copy needs <see cref="MinimumDeadlineMargin"/> to be worth starting. A function timeout
    /// below it (16 s by default) runs nothing.
    /// </summary>
    public TimeSpan ShortestUsefulInvocation => CopyStopBeforeDeadline + MinimumDeadlineMargin;

    /// <summary>
    /// MAX_RECEIVE_COUNT: the queue's maxReceiveCount. On that receive a record that fails transiently, or does not
    /// run, goes to the dead-letter queue with its reason instead of being moved there by SQS without one. Null: off.
    /// </summary>
    public int? MaxReceiveCount { get; init; }

    public TimeSpan MarginFor(TimeSpan remainingAtStart)
    {
        var share = TimeSpan.FromTicks((long)(remainingAtStart.Ticks * DeadlineMarginFraction));
        return share > MinimumDeadlineMargin ? share : MinimumDeadlineMargin;
    }
}
