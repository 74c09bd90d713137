using Replicator.Function.DeadLetter;
using Replicator.Function.Events;
using Replicator.Function.Processing;
using Replicator.Function.Redelivery;
using Replicator.Function.Tests.Support;
using E = Replicator.Function.Tests.Support.Events;

namespace Replicator.Function.Tests.Processing;

/// <summary>The bookkeeping after the copies (dead-letter sends, visibility changes) never makes the answer miss the deadline.</summary>
public sealed class BookkeepingDeadlineTests
{
    /// <summary>A dead-letter send that never ends and ignores its token, as a call stuck building its SQS client would.</summary>
    private sealed class StuckDeadLetterQueue : IDeadLetterQueue
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            return new TaskCompletionSource().Task;
        }
    }

    /// <summary>A call that honours its token: it ends only when the token fires, and tells when that was on the fake clock.</summary>
    private sealed class HeldCall(TimeProvider time)
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<DateTimeOffset> CancelledAt { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            // Not disposed when this method ends: cancelling the token runs Task.Delay's callback too, which can end this
            // method inline while the token is still running its callbacks, and disposing the registration then removed
            // this one before it ran (the token cancelled, CancelledAt never set: about 1 run in 200).
            _ = cancellationToken.Register(() => CancelledAt.TrySetResult(time.GetUtcNow()));
            Started.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    private sealed class HeldDeadLetterQueue(HeldCall call) : IDeadLetterQueue
    {
        public Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken) => call.RunAsync(cancellationToken);
    }

    private sealed class HeldVisibility(HeldCall call) : IMessageVisibility
    {
        public Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken) => call.RunAsync(cancellationToken);
    }

    /// <summary>Dead-letter sends that each end only when their token fires; each started send's message id is written to <see cref="Started"/>.</summary>
    private sealed class HeldDeadLetterSends : IDeadLetterQueue
    {
        public System.Threading.Channels.Channel<string> Started { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public async Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
        {
            Started.Writer.TryWrite(message.DeduplicationId);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }

    /// <summary>
    /// Runs one record whose handler returns <paramref name="result"/> once the fake clock is 3 s before the answer is
    /// due, so its bookkeeping call starts then, with less time left than its own 5 s timeout. The call's token must
    /// fire when the answer is due, not 2 s later at that timeout: the answer has reported the record failed by then,
    /// and a dead-letter send landing after it would leave the message both dead-lettered and delivered again.
    /// </summary>
    private static async Task AssertCallCutAtTheAnswer(SQSMessage record, RecordResult result, Func<Harness, HeldCall, BatchProcessorOptions, Func<SQSMessage, string, CancellationToken, Task<RecordResult>>, BatchProcessor> processorOf)
    {
        var harness = new Harness();
        var options = new BatchProcessorOptions();
        Assert.True(options.DeadLetterCallTimeout > TimeSpan.FromSeconds(3) && options.RedeliveryCallTimeout > TimeSpan.FromSeconds(3));
        var context = harness.Context(TimeSpan.FromSeconds(60));
        var answerBy = context.Deadline - options.ResponseReserve;
        var call = new HeldCall(harness.Time);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = processorOf(harness, call, options, async (_, _, _) =>
        {
            await release.Task;
            return result;
        });

        // Generous, so that a regression fails this test instead of hanging the suite; the times tested are the fake clock's.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var processing = processor.ProcessAsync(E.Batch(record), context, CancellationToken.None);
        harness.Time.Advance(answerBy - TimeSpan.FromSeconds(3) - harness.Time.GetUtcNow());
        release.SetResult();
        await call.Started.Task.WaitAsync(guard.Token);

        harness.Time.Advance(TimeSpan.FromSeconds(3));

        // Awaited rather than read at once, so the test does not depend on which thread runs the token's callbacks. The
        // clock stays at the answer: a token due later never fires, and the guard fails the test.
        Assert.Equal(answerBy, await call.CancelledAt.Task.WaitAsync(guard.Token));
        var response = await processing.WaitAsync(guard.Token);
        Assert.Equal([record.MessageId], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    [Fact]
    public Task A_dead_letter_send_started_late_is_cancelled_when_the_answer_is_due() =>
        AssertCallCutAtTheAnswer(
            E.Record("poison", "{", "g1"),
            new RecordResult(RecordOutcome.PermanentFailure, "not an event", RecordHandler.InvalidEventErrorType),
            (harness, call, options, handle) => new BatchProcessor(handle, new HeldDeadLetterQueue(call), harness.Logger, options, time: harness.Time));

    [Fact]
    public Task A_visibility_change_started_late_is_cancelled_when_the_answer_is_due() =>
        AssertCallCutAtTheAnswer(
            E.Received("1", "v1", "g1", 1),
            new RecordResult(RecordOutcome.TransientFailure, "throttled", "ThrottlingException"),
            (harness, call, options, handle) => new BatchProcessor(
                handle, null, harness.Logger, options, new RedeliveryScheduler(new HeldVisibility(call), new RedeliverySettings(), null, harness.Logger, () => 0.0), harness.Time));

    /// <summary>
    /// A group whose dead-letter sends never answer: its head, on its last receive, is cut off when the copies stop and
    /// its two followers are on their last receive too, so each of the three would be a send. The sends together end
    /// <see cref="BatchProcessorOptions.RedeliveryCallTimeout"/> before the answer is due: the head's gets its full
    /// time, the followers' are not made, and the group's ChangeMessageVisibility calls start with their full time
    /// left. Cut only at the answer, a second send took that time, the visibility calls got none, and the three
    /// records, reported failed, held their group for the queue's visibility timeout.
    /// </summary>
    [Fact]
    public async Task Dead_letter_sends_that_never_answer_leave_the_groups_visibility_calls_their_time()
    {
        var harness = new Harness();
        var options = new BatchProcessorOptions { MaxReceiveCount = 3 };
        var context = harness.Context(TimeSpan.FromSeconds(60));
        var answerBy = context.Deadline - options.ResponseReserve;
        var deadLetter = new HeldDeadLetterSends();
        var visibility = new HeldCall(harness.Time);
        var copyStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new BatchProcessor(
            async (_, _, ct) =>
            {
                copyStarted.SetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                }

                return new RecordResult(RecordOutcome.TransientFailure, "the copies' deadline", "OperationCanceledException");
            },
            deadLetter,
            harness.Logger,
            options,
            new RedeliveryScheduler(new HeldVisibility(visibility), new RedeliverySettings(), null, harness.Logger, () => 0.0),
            harness.Time);
        var batch = E.Batch(E.Received("1", "v1", "g1", 3), E.Received("2", "v2", "g1", 3), E.Received("3", "v3", "g1", 3));

        // Generous, so that a regression fails this test instead of hanging the suite; the times tested are the fake clock's.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var processing = processor.ProcessAsync(batch, context, CancellationToken.None);
        await copyStarted.Task.WaitAsync(guard.Token);

        harness.Time.Advance(context.Deadline - options.CopyStopBeforeDeadline - harness.Time.GetUtcNow());
        Assert.Equal("1", await deadLetter.Started.Reader.ReadAsync(guard.Token));

        // The head's send has had its full timeout, which ends where the visibility calls' time begins.
        harness.Time.Advance(options.DeadLetterCallTimeout);
        Assert.Equal(answerBy - options.RedeliveryCallTimeout, harness.Time.GetUtcNow());
        var next = deadLetter.Started.Reader.ReadAsync(guard.Token).AsTask();
        Assert.Same(visibility.Started.Task, await Task.WhenAny(visibility.Started.Task, next));
        Assert.False(visibility.CancelledAt.Task.IsCompleted, "the visibility calls started with no time left");

        harness.Time.Advance(options.RedeliveryCallTimeout);
        Assert.Equal(answerBy, await visibility.CancelledAt.Task.WaitAsync(guard.Token));
        var response = await processing.WaitAsync(guard.Token);

        Assert.True(context.RemainingTime >= options.ResponseReserve, $"answered {context.RemainingTime} before the deadline");
        Assert.Equal(["1", "2", "3"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.False(next.IsCompleted, "a follower's dead-letter send was made after the group's time for sends");
        // The head stays in the queue on its last receive, so its followers are left for SQS to move after it.
        Assert.Equal(2, harness.LogLines.Count(l => l.GetProperty("message").GetString()!.StartsWith("Not sent to the dead-letter queue on its last receive", StringComparison.Ordinal)));
    }

    /// <summary>
    /// A dead-letter send that starts late (its record's copy came back after the copies' stop, 2 s before the group's
    /// time for sends ends) is cut RedeliveryCallTimeout before the answer, where the group's ChangeMessageVisibility
    /// calls begin, not at the answer: cut only at the answer (the limit the sends had without a redelivery scheduler),
    /// the send took the visibility call's time, and the record, reported failed, held its group for the queue's
    /// visibility timeout (90 minutes with the template).
    /// </summary>
    [Fact]
    public async Task A_dead_letter_send_started_late_leaves_the_groups_visibility_call_its_time()
    {
        var harness = new Harness();
        var options = new BatchProcessorOptions();
        Assert.True(options.DeadLetterCallTimeout > TimeSpan.FromSeconds(2));
        var context = harness.Context(TimeSpan.FromSeconds(60));
        var answerBy = context.Deadline - options.ResponseReserve;
        var sendsEnd = answerBy - options.RedeliveryCallTimeout;
        var send = new HeldCall(harness.Time);
        var visibility = new HeldCall(harness.Time);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new BatchProcessor(
            async (_, _, _) =>
            {
                await release.Task;
                return new RecordResult(RecordOutcome.PermanentFailure, "not an event", RecordHandler.InvalidEventErrorType);
            },
            new HeldDeadLetterQueue(send),
            harness.Logger,
            options,
            new RedeliveryScheduler(new HeldVisibility(visibility), new RedeliverySettings(), null, harness.Logger, () => 0.0),
            harness.Time);

        // Generous, so that a regression fails this test instead of hanging the suite; the times tested are the fake clock's.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var processing = processor.ProcessAsync(E.Batch(E.Received("poison", "v1", "g1", 1)), context, CancellationToken.None);
        harness.Time.Advance(sendsEnd - TimeSpan.FromSeconds(2) - harness.Time.GetUtcNow());
        release.SetResult();
        await send.Started.Task.WaitAsync(guard.Token);

        // Less than the send's own timeout: only the group's time for sends ends it here.
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(sendsEnd, await send.CancelledAt.Task.WaitAsync(guard.Token));
        await visibility.Started.Task.WaitAsync(guard.Token);
        harness.Time.Advance(options.RedeliveryCallTimeout);
        Assert.Equal(answerBy, await visibility.CancelledAt.Task.WaitAsync(guard.Token));
        var response = await processing.WaitAsync(guard.Token);
        Assert.Equal(["poison"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
    }

    /// <summary>
    /// A record whose copy comes back once the group's time for dead-letter sends is over gets no send at all, rather
    /// than one started with a token already cancelled: a client that looks at its token only after its request went
    /// out would put the message in the dead-letter queue while the answer reports it failed, so it is also delivered again.
    /// </summary>
    [Fact]
    public async Task No_dead_letter_send_starts_once_the_groups_time_for_sends_is_over()
    {
        var harness = new Harness();
        var options = new BatchProcessorOptions();
        var context = harness.Context(TimeSpan.FromSeconds(60));
        var answerBy = context.Deadline - options.ResponseReserve;
        var sends = new HeldDeadLetterSends();
        var visibility = new RecordingMessageVisibility();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new BatchProcessor(
            async (_, _, _) =>
            {
                await release.Task;
                return new RecordResult(RecordOutcome.PermanentFailure, "not an event", RecordHandler.InvalidEventErrorType);
            },
            sends,
            harness.Logger,
            options,
            new RedeliveryScheduler(visibility, new RedeliverySettings(), null, harness.Logger, () => 0.0),
            harness.Time);

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var processing = processor.ProcessAsync(E.Batch(E.Received("poison", "v1", "g1", 1)), context, CancellationToken.None);
        harness.Time.Advance(answerBy - options.RedeliveryCallTimeout + TimeSpan.FromSeconds(1) - harness.Time.GetUtcNow());
        release.SetResult();
        var response = await processing.WaitAsync(guard.Token);

        Assert.Equal(["poison"], response.BatchItemFailures.Select(f => f.ItemIdentifier));
        Assert.False(sends.Started.Reader.TryRead(out _), "a dead-letter send was started after the group's time for sends");
        Assert.Contains(harness.LogLines, l => l.GetProperty("message").GetString()!.StartsWith("Dead-letter send not made", StringComparison.Ordinal));
        Assert.Equal(["rh-poison"], visibility.Changes.Select(c => c.ReceiptHandle));
    }

    [Fact]
    public async Task Copies_stop_before_the_bookkeeping_reserve_and_the_answer_goes_before_the_deadline_with_unfinished_records_failed()
    {
        var harness = new Harness();
        var options = new BatchProcessorOptions();
        var context = harness.Context(TimeSpan.FromSeconds(60));
        var deadLetter = new StuckDeadLetterQueue();
        var copyStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var copyStopped = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var processor = new BatchProcessor(
            async (record, _, ct) =>
            {
                switch (record.MessageId)
                {
                    case "poison":
                        return new RecordResult(RecordOutcome.PermanentFailure, "not an event", RecordHandler.InvalidEventErrorType);
                    case "copying":
                        copyStarted.SetResult();
                        try
                        {
                            await Task.Delay(Timeout.Infinite, ct);
                        }
                        catch (OperationCanceledException)
                        {
                            copyStopped.SetResult(context.RemainingTime);
                        }

                        return new RecordResult(RecordOutcome.TransientFailure, "deadline", "DeadlineExceeded");
                    default:
                        return new RecordResult(RecordOutcome.Succeeded);
                }
            },
            deadLetter,
            harness.Logger,
            options,
            time: harness.Time);
        var batch = E.Batch(E.Record("ok", "{}", "g1"), E.Record("poison", "{", "g2"), E.Record("copying", "{}", "g3"));

        // Generous, so that a regression fails this test instead of hanging the suite; the times tested are the fake clock's.
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // The runtime loop's token would fire only 500 ms before the deadline: the processor keeps its own times.
        var processing = processor.ProcessAsync(batch, context, CancellationToken.None);
        await deadLetter.Started.Task.WaitAsync(guard.Token);
        await copyStarted.Task.WaitAsync(guard.Token);

        harness.Time.Advance(TimeSpan.FromSeconds(60) - options.CopyStopBeforeDeadline);
        Assert.Equal(TimeSpan.FromSeconds(11), await copyStopped.Task.WaitAsync(guard.Token));

        // The dead-letter send is still stuck when the response's reserve is reached: the answer goes anyway.
        harness.Time.Advance(options.CopyStopBeforeDeadline - options.ResponseReserve);
        var response = await processing.WaitAsync(guard.Token);

        Assert.Equal(TimeSpan.FromSeconds(1), context.RemainingTime);
        Assert.Equal(["copying", "poison"], response.BatchItemFailures.Select(f => f.ItemIdentifier).Order(StringComparer.Ordinal));
    }
}
