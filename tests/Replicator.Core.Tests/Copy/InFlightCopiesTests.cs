using Replicator.Core.Copy;

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
}
