using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>The results the engine answers for every destination at once, before or instead of a copy.</summary>
internal static class ReplicationResults
{
    /// <summary>A destination skipped with nothing copied.</summary>
    public static DestinationResult Skipped(ReplicationDestination destination, string? digest, TimeSpan duration, string code, string message) =>
        new(destination, ReplicationOutcome.Skipped, digest, 0, 0, 0, duration, code, message);

    /// <summary>The source image no longer exists: a stale event, skipped everywhere.</summary>
    public static ReplicationResult AllSkipped(ReplicationRequest request, TimeSpan duration) => new(
        request.Source,
        request.Source.Digest,
        [.. request.Destinations.Select(d => Skipped(
            d, request.Source.Digest, duration, ReplicationErrorCodes.SourceImageNotFound, $"the source image {request.Source} no longer exists; nothing to copy (stale event)"))]);

    /// <summary>The source image is archived: it cannot be pulled until restored.</summary>
    public static ReplicationResult AllArchived(ReplicationRequest request, TimeSpan duration) => new(
        request.Source,
        request.Source.Digest,
        [.. request.Destinations.Select(d => new DestinationResult(
            d, ReplicationOutcome.Archived, request.Source.Digest, 0, 0, 0, duration,
            ReplicationErrorCodes.SourceImageArchived, $"the source image {request.Source} is archived and cannot be pulled until it is restored; replicas already made are kept"))]);

    /// <summary>A failure at the source (or of the request itself), the same for every destination.</summary>
    public static ReplicationResult AllFailed(ReplicationRequest request, string? digest, string code, string message, bool transient, TimeSpan duration) => new(
        request.Source,
        digest,
        [.. request.Destinations.Select(d => new DestinationResult(d, ReplicationOutcome.Failed, digest, 0, 0, 0, duration, code, message, transient) { AtSource = true })]);

    /// <summary>Tells <paramref name="observer"/> of every destination's result, and returns it.</summary>
    public static ReplicationResult Report(ReplicationResult result, IReplicationObserver observer)
    {
        foreach (var destination in result.Destinations)
        {
            observer.DestinationDone(destination);
        }

        return result;
    }
}
