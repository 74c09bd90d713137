using System.Collections.Concurrent;
using Replicator.Core.Composition;
using Replicator.Core.Replication;

namespace Replicator.Function.Tests.Support;

/// <summary>A hand-written engine: answers through a delegate and records every call in order.</summary>
public sealed class FakeReplicator : IReplicatorOwner
{
    public Func<ReplicationRequest, CancellationToken, Task<ReplicationResult>> OnReplicate { get; set; } = (r, _) => Task.FromResult(Result(r, ReplicationOutcome.Replicated));

    public Func<ReplicationRequest, CancellationToken, Task<ReplicationResult>> OnDelete { get; set; } = (r, _) => Task.FromResult(Result(r, ReplicationOutcome.Deleted));

    public ConcurrentQueue<(string Kind, ReplicationRequest Request)> Calls { get; } = new();

    /// <summary>How many times its holder disposed it.</summary>
    public int Disposals => _disposals;

    private int _disposals;

    public void Dispose() => Interlocked.Increment(ref _disposals);

    public static ReplicationResult Result(ReplicationRequest request, ReplicationOutcome outcome, string? errorCode = null, bool transient = false, string? message = null) =>
        new(request.Source, request.Source.Digest, request.Destinations
            .Select(d => new DestinationResult(d, outcome, request.Source.Digest, 3, 1, 12345, TimeSpan.FromMilliseconds(250), errorCode, message, transient)
            {
                // As the engine reports a destination that holds the image with the source's tag still naming it.
                Tag = outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate ? request.Source.Tag : null,
            })
            .ToArray());

    public Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue(("replicate", request));
        return OnReplicate(request, cancellationToken);
    }

    public Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue(("delete", request));
        return OnDelete(request, cancellationToken);
    }
}
