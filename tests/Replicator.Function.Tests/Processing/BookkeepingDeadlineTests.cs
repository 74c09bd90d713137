using Replicator.Function.DeadLetter;
using Replicator.Function.Events;
using Replicator.Function.Processing;
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
