namespace Replicator.Core.Replication;

/// <summary>The observer used when nobody watches.</summary>
public sealed class NullReplicationObserver : IReplicationObserver
{
    public static NullReplicationObserver Instance { get; } = new();
}
