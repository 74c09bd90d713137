using System.Runtime.CompilerServices;
using Replicator.Core.Copy;
using Replicator.Core.Errors;

namespace Replicator.Core.Tests.Copy;

public sealed class InFlightCopiesTests
{
    [Fact]
    public async Task A_waiter_leaves_a_copy_that_never_ends_when_its_token_fires_and_the_copy_goes_on_for_the_others()
    {
        var copies = new InFlightCopies<string>();
        var never = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var starterLeaves = new CancellationTokenSource();
        using var joinerLeaves = new CancellationTokenSource();

        var starter = copies.RunAsync("blob", () => never.Task, starterLeaves.Token);
        var joiner = copies.RunAsync("blob", () => throw new InvalidOperationException("the key is running; a joiner never starts a copy"), joinerLeaves.Token);
        var stays = copies.RunAsync("blob", () => throw new InvalidOperationException("the key is running; a joiner never starts a copy"), CancellationToken.None);

        await joinerLeaves.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => joiner);
        Assert.False(starter.IsCompleted);

        await starterLeaves.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);

        // Leaving cancelled nobody's copy: the one still waiting gets its bytes.
        Assert.False(stays.IsCompleted);
        never.SetResult(42);
        Assert.Equal((42L, true), await stays);
    }

    [Fact]
    public async Task A_joiner_whose_token_did_not_fire_copies_the_blob_itself_when_the_starter_is_cancelled()
    {
        var copies = new InFlightCopies<string>();
        var never = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var starterLeaves = new CancellationTokenSource();
        var joinerStarts = 0;

        // The copy runs under the starter's token, as the engine's does (the starter's request owns the fan-out): the
        // invocation whose deadline fired, while its SQS redelivery already asks for the same blob.
        var starter = copies.RunAsync("blob", () => never.Task.WaitAsync(starterLeaves.Token), starterLeaves.Token);
        var joiner = copies.RunAsync("blob", () => { joinerStarts++; return Task.FromResult(7L); }, CancellationToken.None);
        Assert.False(joiner.IsCompleted);

        await starterLeaves.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);

        // Not the joiner's cancellation: it takes the key over and copies the blob under its own token.
        Assert.Equal((7L, false), await joiner);
        Assert.Equal(1, joinerStarts);
    }

    [Fact]
    public async Task A_copy_cancelled_though_its_starter_was_not_is_a_transient_failure()
    {
        var copies = new InFlightCopies<string>();

        // An HTTP timeout surfaces as a TaskCanceledException the caller's token did not cause.
        // Bounded (and off the test's thread): a caller that took its own copy's cancellation for a joined one's would
        // start the copy over and over without ever yielding, which must fail the test rather than hang the run.
        var failure = await Assert.ThrowsAsync<ReplicationException>(() => Task.Run(() => copies.RunAsync("blob", () => Task.FromException<long>(new TaskCanceledException("timed out")), CancellationToken.None)).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.True(failure.IsTransient);
        Assert.Equal(ReplicationErrorCodes.DeadlineExceeded, failure.ErrorCode);
        Assert.IsAssignableFrom<OperationCanceledException>(failure.InnerException);
    }

    [Fact]
    public async Task A_request_arriving_after_the_starter_left_joins_the_copy_still_running_and_the_key_is_free_once_it_ends()
    {
        var copies = new InFlightCopies<string>();
        var copying = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var starterLeaves = new CancellationTokenSource();
        var starts = 0;

        var starter = copies.RunAsync("blob", () => { starts++; return copying.Task; }, starterLeaves.Token);
        await starterLeaves.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);

        // The upload still runs: a later request joins it rather than uploading the same bytes a second time.
        var later = copies.RunAsync("blob", () => { starts++; return Task.FromResult(7L); }, CancellationToken.None);
        Assert.False(later.IsCompleted);
        copying.SetResult(42);
        Assert.Equal((42L, true), await later);
        Assert.Equal(1, starts);

        // Ended, the copy is forgotten: the next request starts its own (after checking the destination again).
        Assert.Equal((7L, false), await copies.RunAsync("blob", () => { starts++; return Task.FromResult(7L); }, CancellationToken.None));
        Assert.Equal(2, starts);
    }

    /// <summary>
    /// Every waiter left (their tokens fired) and the copy, still running under its starter's token, later ends with a
    /// destination's own error: nobody reads it, and it must not reach TaskScheduler.UnobservedTaskException when the
    /// task is collected. (Before the fix this failed on most runs; after it, it cannot: the failure is observed as it
    /// happens, before the task can be collected.)
    /// </summary>
    [Fact]
    public async Task A_copy_that_fails_after_every_waiter_left_leaves_no_unobserved_exception()
    {
        var marker = $"unobserved-{Guid.NewGuid():N}";
        var seen = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.Flatten().InnerExceptions.Any(x => x.Message == marker))
            {
                Interlocked.Increment(ref seen);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        try
        {
            // On the thread pool, with no synchronization context to post the copy's continuations to: they run inline.
            await Task.Run(() => FailAfterEveryWaiterLeftAsync(marker));
            for (var i = 0; i < 5 && Volatile.Read(ref seen) == 0; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Yield();
            }

            Assert.Equal(0, Volatile.Read(ref seen));
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= handler;
        }
    }

    // Not inlined: the copy's task must be out of reach of the test method's frame when it collects.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task FailAfterEveryWaiterLeftAsync(string marker)
    {
        var copies = new InFlightCopies<string>();
        var copy = new TaskCompletionSource<long>();
        using var deadline = new CancellationTokenSource();
        var starter = copies.RunAsync("k", () => copy.Task, deadline.Token);
        await deadline.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starter);

        // Without RunContinuationsAsynchronously, the copy's task (CopyThenForgetAsync) completes inside this call.
        copy.SetException(new InvalidOperationException(marker));
    }
}
