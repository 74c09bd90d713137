using Replicator.Core.Copy;

namespace Replicator.Core.Tests.Copy;

public sealed class CopySlotsTests
{
    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_blob_for_three_destinations_waits_for_three_free_slots_and_later_requests_queue_behind_it()
    {
        var slots = new CopySlots(4);
        var first = await slots.TakeAsync(3, CancellationToken.None);

        var three = slots.TakeAsync(3, CancellationToken.None);
        var one = slots.TakeAsync(1, CancellationToken.None);

        // One slot is free, but the earlier waiter needs three: first come, first served.
        Assert.False(three.IsCompleted);
        Assert.False(one.IsCompleted);
        first.Dispose();
        using var granted = await three;
        using var next = await one;
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_unblocks_those_behind_it()
    {
        var slots = new CopySlots(2);
        using var held = await slots.TakeAsync(1, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var big = slots.TakeAsync(2, cancel.Token);
        var small = slots.TakeAsync(1, CancellationToken.None);
        Assert.False(small.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => big);
        using var granted = await small.WaitAsync(Bound);
    }

    [Fact]
    public async Task More_slots_than_the_capacity_are_clamped_to_all_of_them()
    {
        var slots = new CopySlots(2);

        using (await slots.TakeAsync(5, CancellationToken.None))
        {
            Assert.False(slots.TakeAsync(1, CancellationToken.None).IsCompleted);
        }
    }

    /// <summary>A lease disposed twice (a using block, and a dispose on an error path inside it) gives its slots back once.</summary>
    [Fact]
    public async Task A_lease_disposed_twice_gives_its_slots_back_once()
    {
        var slots = new CopySlots(2);
        var lease = await slots.TakeAsync(1, CancellationToken.None);
        using var other = await slots.TakeAsync(1, CancellationToken.None);

        lease.Dispose();
        lease.Dispose();

        using var again = await slots.TakeAsync(1, CancellationToken.None);
        Assert.False(slots.TakeAsync(1, CancellationToken.None).IsCompleted);
    }
}
