using Replicator.Core.Replication;

namespace Replicator.Function.Tests.Reliability;

/// <summary>Runs <see cref="OnFirstBytes"/> once, the first time layer bytes reach a destination: a hook for faults "mid-copy".</summary>
internal sealed class CallbackObserver : IReplicationObserver
{
    private int _fired;

    public Action<ReplicationDestination>? OnFirstBytes { get; set; }

    /// <summary>When set, only bytes of this blob fire the hook.</summary>
    public string? LayerDigest { get; set; }

    public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes)
    {
        if (OnFirstBytes is { } action && (LayerDigest is null || LayerDigest == layerDigest) && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            action(destination);
        }
    }
}
