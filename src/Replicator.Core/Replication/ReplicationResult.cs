namespace Replicator.Core.Replication;

/// <summary>The result of one request: one entry per destination, in the request's order.</summary>
public sealed record ReplicationResult(ImageReference Source, string? SourceDigest, IReadOnlyList<DestinationResult> Destinations)
{
    public bool Succeeded => Destinations.All(d => d.Succeeded);

    /// <summary>
    /// True when any destination failed transiently (a retry may succeed there), even beside permanent failures: the
    /// retry re-reads every destination, so one that failed permanently fails again, one done already is up to date,
    /// and only when every failure left is permanent does the request end. Giving up at the first permanent failure
    /// would leave a destination cut only by throttling or the deadline without the image.
    /// </summary>
    public bool ShouldRetry => Destinations.Any(d => !d.Succeeded && d.Transient);
}
