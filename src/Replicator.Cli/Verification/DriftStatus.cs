namespace Replicator.Cli.Verification;

public enum DriftStatus
{
    /// <summary>The destination tag points at the source digest.</summary>
    InSync,

    /// <summary>The source tag is absent from the destination (or the repository is).</summary>
    Missing,

    /// <summary>The destination tag points at another digest.</summary>
    Different,

    /// <summary>The destination has a tag (within the selection) that the source does not.</summary>
    Extra,
}
