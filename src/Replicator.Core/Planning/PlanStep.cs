namespace Replicator.Core.Planning;

/// <summary>One write to the destination.</summary>
public abstract record PlanStep
{
    public abstract PlanPhase Phase { get; }
}
