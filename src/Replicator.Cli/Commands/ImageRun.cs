using Replicator.Cli.Output;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>One image's replication, labelled for output.</summary>
public sealed record ImageRun(string Repository, string? Tag, ReplicationResult Result)
{
    /// <summary>Every destination holds what the source held for this request (<see cref="OutcomeText.Done"/>).</summary>
    public bool Done(bool stopped) => Result.Destinations.All(d => Outcomes.Describe(d, Tag, stopped).Done);

    /// <summary>A stop signal cut one of its destinations' copies short.</summary>
    public bool Interrupted(bool stopped) => Result.Destinations.Any(d => Outcomes.Describe(d, Tag, stopped).Word == Outcomes.Interrupted);
}
