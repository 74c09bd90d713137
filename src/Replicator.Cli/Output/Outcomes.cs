using Replicator.Core.Replication;

namespace Replicator.Cli.Output;

/// <summary>How outcomes read in lines and tables.</summary>
public static class Outcomes
{
    public static string Word(ReplicationOutcome outcome) => outcome switch
    {
        ReplicationOutcome.Replicated => "copied",
        ReplicationOutcome.UpToDate => "up-to-date",
        ReplicationOutcome.Skipped => "skipped",
        ReplicationOutcome.Deleted => "deleted",
        ReplicationOutcome.Archived => "archived",
        _ => "FAILED",
    };

    public static string Colour(ReplicationOutcome outcome) => outcome switch
    {
        ReplicationOutcome.Failed => "red",
        ReplicationOutcome.Replicated => "green",
        _ => "grey",
    };
}
