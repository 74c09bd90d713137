using Replicator.Core.Destinations;

namespace Replicator.Core.Tests.Destinations;

/// <summary>A caller that read the value before another caller's load finished must not load a second time.</summary>
public sealed class RefreshingValueTests
{
    [Fact]
    public async Task A_caller_that_saw_the_old_value_gets_the_newer_one_without_a_load()
    {
        var value = new RefreshingValue<string>();
        var loads = 0;
        Task<string> Load(string? current) => Task.FromResult($"v{Interlocked.Increment(ref loads)}");

        var stale = value.Current;
        var first = await value.LoadAsync(stale, Load);
        var started = value.TryStartLoad(stale, Load, out var second);

        Assert.False(started);
        Assert.Same(first, await second);
        Assert.Equal(1, loads);

        // A caller that saw the current value does load.
        Assert.True(value.TryStartLoad(first, Load, out var third));
        Assert.Equal("v2", await third);
    }

    /// <summary>
    /// The same with a value in hand, as a renewal of a session works: a caller that read the first session, then was
    /// overtaken by another caller's renewal, gets the renewed session and starts no load of its own (one AssumeRole
    /// per renewal, however many callers saw the old session).
    /// </summary>
    [Fact]
    public async Task A_caller_that_saw_a_value_since_replaced_gets_the_replacement_without_a_load()
    {
        var value = new RefreshingValue<string>();
        var loads = 0;
        Task<string> Load(string? current) => Task.FromResult($"v{Interlocked.Increment(ref loads)}");
        var first = await value.LoadAsync(null, Load);

        var seen = value.Current;
        var renewed = await value.LoadAsync(first, Load);
        var started = value.TryStartLoad(seen, Load, out var late);

        Assert.Equal("v2", renewed);
        Assert.False(started);
        Assert.Same(renewed, await late);
        Assert.Equal(2, loads);
    }

    [Fact]
    public async Task Forget_of_a_value_already_replaced_keeps_the_current_one()
    {
        var value = new RefreshingValue<string>();
        var old = await value.LoadAsync(null, _ => Task.FromResult("old"));
        var current = await value.LoadAsync(old, _ => Task.FromResult("current"));

        Assert.False(value.Forget(old));
        Assert.Same(current, value.Current);
        Assert.True(value.Forget(current));
        Assert.Null(value.Current);
    }
}
