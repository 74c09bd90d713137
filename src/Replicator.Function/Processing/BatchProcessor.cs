using System.Collections.Concurrent;
using Replicator.Function.DeadLetter;
using Replicator.Function.Events;
using Replicator.Function.Observability;
using Replicator.Function.Redelivery;
using Replicator.Function.Runtime;

namespace Replicator.Function.Processing;

/// <summary>
/// A batch with FIFO semantics, after Powertools' BatchProcessor: every record counts as failed until it
/// succeeded; records of one message group run in order and the first failure stops the group (it and all
/// later records of the group are reported); groups run concurrently; near the deadline nothing new starts.
/// Poison records go to the dead-letter queue and are acknowledged, or are reported failed when that is impossible.
/// With MAX_RECEIVE_COUNT set, so do records on their last receive that failed transiently or did not run (behind a
/// failed record of their group, or past the deadline): each with its reason, which SQS's own move would not carry.
/// A group that ends with records reported failed, whatever stopped it (a transient failure, the deadline, a
/// dead-letter send that failed), has them scheduled for redelivery with backoff (<see cref="RedeliveryScheduler"/>)
/// instead of waiting out the queue's visibility timeout. The copies stop <see cref="BatchProcessorOptions.CopyStopBeforeDeadline"/>
/// before the deadline, and the answer is returned <see cref="BatchProcessorOptions.ResponseReserve"/> before it
/// whatever the bookkeeping calls still do: a record whose bookkeeping did not finish is reported failed. A group's
/// dead-letter sends end <see cref="BatchProcessorOptions.RedeliveryCallTimeout"/> before the answer is due, so its
/// redelivery calls keep their time.
/// </summary>
public sealed class BatchProcessor(
    Func<SQSMessage, string, CancellationToken, Task<RecordResult>> handleRecord,
    IDeadLetterQueue? deadLetterQueue,
    FunctionLogger logger,
    BatchProcessorOptions options,
    RedeliveryScheduler? redelivery = null,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>The error type of a record dead-lettered on its last receive (MAX_RECEIVE_COUNT); the reason says why it failed.</summary>
    public const string ReceivesExhaustedErrorType = "ReceivesExhausted";

    /// <summary>
    /// Characters of the dead-letter reason a record's failure leaves free (<see cref="RecordHandler"/>) for what this
    /// processor puts before it on a last receive: the receive count, and for a follower the failed message's id and
    /// error type. So the failure's list of destinations is not cut off the end of a last-receive reason.
    /// </summary>
    public const int LastReceivePreambleRoom = 256;

    public BatchProcessor(RecordHandler handler, IDeadLetterQueue? deadLetterQueue, FunctionLogger logger, BatchProcessorOptions options, RedeliveryScheduler? redelivery = null, TimeProvider? time = null)
        : this((handler ?? throw new ArgumentNullException(nameof(handler))).HandleAsync, deadLetterQueue, logger, options, redelivery, time)
    {
    }

    public async Task<SQSBatchResponse> ProcessAsync(SQSEvent batch, ILambdaContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(context);
        var records = batch.Records;

        // A null in Records (a hand-made payload: Lambda sends an object for each record) threw a NullReferenceException
        // from the check below, an invocation error that named nothing; it fails the invocation all the same, saying which.
        var nullRecord = records.IndexOf(null!);
        if (nullRecord >= 0)
        {
            throw new InvalidDataException($"Record {nullRecord + 1} of the batch is null, not an SQS message.");
        }

        if (records.Any(r => string.IsNullOrEmpty(r.MessageId)))
        {
            // Without a message id a record cannot be reported: fail the whole invocation so SQS keeps everything.
            throw new InvalidDataException("A record of the batch has no messageId.");
        }

        var remaining = context.RemainingTime;
        var margin = options.MarginFor(remaining);
        var notStartedReason = "it was not started before the invocation's deadline";
        var tooShort = remaining < options.ShortestUsefulInvocation;
        if (tooShort)
        {
            // Lambda's timeout is the template's to set; a shorter one leaves every copy cancelled before it starts,
            // batch after batch, until each message is dead-lettered. Say so once per batch, as the cause.
            notStartedReason = $"it was not started: the invocation had {remaining.TotalSeconds:0.#} s, less than the {options.ShortestUsefulInvocation.TotalSeconds:0.#} s a copy and the bookkeeping after it need; raise the function's Timeout";
            logger.Error($"The invocation has {remaining.TotalSeconds:0.#} s, less than the {options.ShortestUsefulInvocation.TotalSeconds:0.#} s one copy needs ({options.MinimumDeadlineMargin.TotalSeconds:0.#} s) with the bookkeeping after it ({options.CopyStopBeforeDeadline.TotalSeconds:0.#} s): no record runs. Raise the function's Timeout (the template sets 900 s)", new LogFields { RequestId = context.AwsRequestId, Outcome = LogOutcomes.NotStarted });
        }

        var answerBy = _time.GetUtcNow() + remaining - options.ResponseReserve;

        // A record without a group (a standard queue) has no order to keep: it is a group of its own. A group id is its
        // queue's own (SQS orders a group within one queue:
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-key-terms.html), so the queue
        // (eventSourceARN) is part of the key: records of two queues sharing a group id do not hold each other back.
        var groups = records
            .Select((record, index) => (record, key: (Queue: record.EventSourceArn, Group: record.MessageGroupId, Alone: record.MessageGroupId is null ? index : -1)))
            .GroupBy(x => x.key)
            .Select(g => g.Select(x => x.record).ToArray())
            .ToArray();

        // The copies end early enough for the bookkeeping after them (dead-letter sends, ChangeMessageVisibility).
        var copyDeadline = new CancellationTokenSource(NotNegative(remaining - options.CopyStopBeforeDeadline), _time);
        var copies = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, copyDeadline.Token);
        if (tooShort)
        {
            // A copy would be cut before its first seconds were worth anything: none starts.
            copies.Cancel();
        }

        var gate = new SemaphoreSlim(options.MaxConcurrentGroups);
        var acknowledged = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var run = Task.WhenAll(groups.Select(group => RunGroupAsync(group, gate, margin, notStartedReason, context, acknowledged, answerBy, copies.Token)));

        // Disposed when the groups end, not when the answer is returned: a group still in a call past the answer
        // (an SQS client being built ignores every token) still uses them.
        _ = run.ContinueWith(
            static (_, state) =>
            {
                var (gate, copies, copyDeadline) = ((SemaphoreSlim, CancellationTokenSource, CancellationTokenSource))state!;
                gate.Dispose();
                copies.Dispose();
                copyDeadline.Dispose();
            },
            (gate, copies, copyDeadline),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        try
        {
            await run.WaitAsync(NotNegative(answerBy - _time.GetUtcNow()), _time, CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Only what is acknowledged by now counts: every other record is reported failed, so SQS delivers it again.
            // The copies' token has fired already (CopyStopBeforeDeadline is longer than ResponseReserve).
            logger.Warn($"Bookkeeping not done {options.ResponseReserve.TotalSeconds:0.#} s before the deadline: the answer goes now, records not yet acknowledged reported failed", new LogFields { RequestId = context.AwsRequestId });
        }

        var succeeded = acknowledged.Keys.ToHashSet(StringComparer.Ordinal);

        var response = new SQSBatchResponse();
        foreach (var record in records.Where(r => !succeeded.Contains(r.MessageId!)).DistinctBy(r => r.MessageId))
        {
            response.BatchItemFailures.Add(new BatchItemFailure { ItemIdentifier = record.MessageId! });
        }

        var level = response.BatchItemFailures.Count == 0 ? LogLevel.Info : LogLevel.Warn;
        logger.Log(level, $"Batch done: {records.Count} record(s) in {groups.Length} group(s), {response.BatchItemFailures.Count} reported failed", new LogFields { RequestId = context.AwsRequestId });
        return response;
    }

    private async Task RunGroupAsync(SQSMessage[] group, SemaphoreSlim gate, TimeSpan margin, string notStartedReason, ILambdaContext context, ConcurrentDictionary<string, bool> acknowledged, DateTimeOffset answerBy, CancellationToken cancellationToken)
    {
        var succeeded = new List<string>(group.Length);
        void Succeeded(string messageId)
        {
            succeeded.Add(messageId);
            acknowledged[messageId] = true;
        }

        // The group's dead-letter sends, together, end this early: its ChangeMessageVisibility calls keep their full
        // timeout before the answer is due, however many sends came first (a failed record on its last receive, then
        // each follower on its last receive). Cut only at the answer, a slow SQS left the visibility calls no time, and
        // every record reported failed held the group for the queue's visibility timeout.
        var deadLettersBy = redelivery is null ? answerBy : answerBy - options.RedeliveryCallTimeout;

        // No token here: a cancelled wait would throw and lose the per-record answer; the loop checks the token.
        await gate.WaitAsync(CancellationToken.None);
        try
        {
            // Why the records from `stopped` on did not run: the deadline, or the failed record before them.
            var stopped = group.Length;
            string? notRun = null;

            // A record on its last receive that stays in the queue (its dead-letter send failed, or there is no time or
            // no queue for one) is moved by SQS's redrive policy on its next receive: a later record of its group sent
            // to the dead-letter queue now would land ahead of it, and a redrive replays the queue oldest first.
            var heldOnLastReceive = false;
            for (var i = 0; i < group.Length; i++)
            {
                var record = group[i];
                // The margin is of copy time: the copies' token fires CopyStopBeforeDeadline before the deadline, so a
                // record started with the margin measured to the deadline itself could get seconds, or none.
                if (cancellationToken.IsCancellationRequested || context.RemainingTime - options.CopyStopBeforeDeadline < margin)
                {
                    var first = RecordLogFields.Of(record, context.AwsRequestId);
                    logger.Warn($"Deadline near: {group.Length - i} record(s) of the group not started, reported failed{first.Note}", first.Fields with { Outcome = LogOutcomes.NotStarted });
                    (stopped, notRun) = (i, notStartedReason);
                    break;
                }

                RecordResult result;
                try
                {
                    result = await handleRecord(record, context.AwsRequestId, cancellationToken);
                }
                catch (Exception ex)
                {
                    var thrown = RecordLogFields.Of(record, context.AwsRequestId);
                    logger.Error($"Record handler threw {ex.GetType().Name}: {ex.Message}{thrown.Note}", thrown.Fields with { Outcome = LogOutcomes.Failed, ErrorType = ex.GetType().Name });
                    result = new RecordResult(RecordOutcome.TransientFailure, ex.Message, ex.GetType().Name);
                }

                if (result.Outcome == RecordOutcome.PermanentFailure && await DeadLetterAsync(record, result, context.AwsRequestId, deadLettersBy))
                {
                    Succeeded(record.MessageId!);
                    continue;
                }

                if (result.Outcome == RecordOutcome.TransientFailure && IsLastReceive(record, out var receives)
                    && await DeadLetterAsync(record, Exhausted(receives, $"its last attempt failed transiently: {result.ErrorType ?? "TransientFailure"}: {result.Reason}"), context.AwsRequestId, deadLettersBy))
                {
                    // Its group goes on, as after dead-lettered poison: the record that held it is out of the queue.
                    Succeeded(record.MessageId!);
                    continue;
                }

                if (!result.IsDone)
                {
                    if (i + 1 < group.Length)
                    {
                        var failed = RecordLogFields.Of(record, context.AwsRequestId);
                        logger.Warn($"Stopping message group after a failure: {group.Length - i - 1} later record(s) reported failed to keep order{failed.Note}", failed.Fields with { Outcome = LogOutcomes.GroupStopped, ErrorType = result.ErrorType });
                    }

                    (stopped, notRun) = (i + 1, $"it did not run because an earlier message of its group, {record.MessageId}, failed: {result.ErrorType ?? result.Outcome.ToString()}: {result.Reason}");
                    heldOnLastReceive = IsLastReceive(record, out _);
                    break;
                }

                Succeeded(record.MessageId!);
            }

            // A record that did not run still used up a receive; on its last one SQS would move it to the dead-letter
            // queue without a word (a FIFO follower behind a failed head is received, and counted, every time the head is).
            for (var i = stopped; i < group.Length; i++)
            {
                var record = group[i];
                if (!IsLastReceive(record, out var receives))
                {
                    continue;
                }

                if (heldOnLastReceive)
                {
                    var held = RecordLogFields.Of(record, context.AwsRequestId);
                    logger.Warn($"Not sent to the dead-letter queue on its last receive: an earlier message of its group stays in the queue on its own last receive, and SQS's redrive policy moves both in order{held.Note}", held.Fields with { Outcome = LogOutcomes.Failed, ErrorType = ReceivesExhaustedErrorType });
                    continue;
                }

                if (await DeadLetterAsync(record, Exhausted(receives, notRun!), context.AwsRequestId, deadLettersBy))
                {
                    Succeeded(record.MessageId!);
                }
                else
                {
                    heldOnLastReceive = true;
                }
            }
        }
        finally
        {
            gate.Release();
        }

        // Every reported record, not only a transient failure's: a record the deadline left unstarted, or poison
        // whose dead-letter send failed, would otherwise hold its whole FIFO group for the queue's visibility timeout
        // (90 minutes), as a follower does (a group delivers nothing while any of its messages is in flight).
        var reported = group.Where(r => !succeeded.Contains(r.MessageId!, StringComparer.Ordinal)).ToArray();
        if (reported.Length > 0 && redelivery is not null)
        {
            // Its own time limit: the invocation's token may already be cancelled (the deadline), and these calls are
            // what brings the group back in seconds rather than after the visibility timeout.
            using var timeout = new CancellationTokenSource(Within(options.RedeliveryCallTimeout, answerBy), _time);
            await redelivery.DelayAsync(reported, context.AwsRequestId, timeout.Token);
        }
    }

    /// <summary>A call's own timeout, cut to the time left before <paramref name="end"/> (the answer, or for a dead-letter send the group's redelivery calls).</summary>
    private TimeSpan Within(TimeSpan timeout, DateTimeOffset end) =>
        NotNegative(TimeSpan.FromTicks(Math.Min(timeout.Ticks, (end - _time.GetUtcNow()).Ticks)));

    private static TimeSpan NotNegative(TimeSpan span) => span > TimeSpan.Zero ? span : TimeSpan.Zero;

    /// <summary>
    /// True on the record's last receive under MAX_RECEIVE_COUNT (the queue's maxReceiveCount): SQS moves a message
    /// whose receive count would exceed maxReceiveCount to the dead-letter queue itself, without the function's reason
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
    /// </summary>
    private bool IsLastReceive(SQSMessage record, out int receives)
    {
        receives = RedeliveryScheduler.ReceiveCount(record);
        return options.MaxReceiveCount is { } max && receives >= max;
    }

    private RecordResult Exhausted(int receives, string why) => new(
        RecordOutcome.PermanentFailure,
        $"receive {receives} of at most {options.MaxReceiveCount} (MAX_RECEIVE_COUNT) and {why}",
        ReceivesExhaustedErrorType);

    /// <summary>Sends the record to the dead-letter queue, ending by <paramref name="sendBy"/>; false (so the record is reported failed) when it could not.</summary>
    private async Task<bool> DeadLetterAsync(SQSMessage record, RecordResult result, string requestId, DateTimeOffset sendBy)
    {
        var errorType = result.ErrorType ?? "PermanentFailure";
        var identity = RecordLogFields.Of(record, requestId);
        // An invalid event's reason is already the parse error; any other reason gets it appended when the body names no image.
        var note = errorType == RecordHandler.InvalidEventErrorType ? string.Empty : identity.Note;
        var fields = identity.Fields;
        if (deadLetterQueue is null)
        {
            logger.Error($"Message for the dead-letter queue reported failed (no DEAD_LETTER_QUEUE_URL): {result.Reason}{note}", fields with { Outcome = LogOutcomes.Failed, ErrorType = errorType });
            return false;
        }

        var callTime = Within(options.DeadLetterCallTimeout, sendBy);
        if (callTime == TimeSpan.Zero)
        {
            // As after a failed send: SQS delivers it again, and on its last receive moves it to the dead-letter queue itself.
            logger.Error($"Dead-letter send not made: no time left before the group's redelivery calls and the answer; message reported failed{note}", fields with { Outcome = LogOutcomes.Failed, ErrorType = errorType });
            return false;
        }

        try
        {
            var message = new DeadLetterMessage(record.Body ?? string.Empty, record.MessageGroupId, record.MessageId!, Redactor.Redact(result.Reason), errorType, record.Sender);
            using var timeout = new CancellationTokenSource(callTime, _time);
            await deadLetterQueue.SendAsync(message, timeout.Token);
            logger.Warn($"Message sent to the dead-letter queue: {result.Reason}{note}", fields with { Outcome = LogOutcomes.DeadLettered, ErrorType = errorType });
            return true;
        }
        catch (Exception ex)
        {
            logger.Error($"Dead-letter send failed ({ex.GetType().Name}: {ex.Message}); message reported failed{note}", fields with { Outcome = LogOutcomes.Failed, ErrorType = errorType });
            return false;
        }
    }
}
