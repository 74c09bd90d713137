namespace Replicator.Function.Tests.Reconcile;

/// <summary>
/// A clock that moves one minute each time it is read. The reconciler reads it once before each repository and
/// each digest, so a deadline of N minutes and a half lets exactly N+1 of those steps start: no real time passes.
/// </summary>
internal sealed class SteppingClock(DateTimeOffset start) : TimeProvider
{
    private int _reads;

    public DateTimeOffset Start { get; } = start;

    public override DateTimeOffset GetUtcNow() => Start.AddMinutes(_reads++);
}
