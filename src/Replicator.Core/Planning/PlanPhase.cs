namespace Replicator.Core.Planning;

/// <summary>The phases of a plan, run one after the other; only <see cref="CopyBlobs"/> may run its steps concurrently.</summary>
public enum PlanPhase
{
    CreateRepository,

    /// <summary>Independent blob uploads: any order, bounded concurrency.</summary>
    CopyBlobs,

    /// <summary>PutImage calls, strictly in plan order (each names only what was written before it).</summary>
    PutManifests,
}
