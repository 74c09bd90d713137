using System.Collections.Concurrent;
using Replicator.Core.Replication;

namespace Replicator.Function.Tests.Reliability;

/// <summary>Runs <paramref name="action"/> once, when bytes of the <paramref name="nth"/> distinct layer copy (per destination) first arrive.</summary>
internal sealed class LayerCountingObserver(int nth, Action action) : IReplicationObserver
{
    private readonly ConcurrentDictionary<(string Region, string Digest), byte> _seen = new();
    private int _fired;

    public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes)
    {
        if (_seen.TryAdd((destination.Region, layerDigest), 0) && _seen.Count >= nth && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            action();
        }
    }
}
