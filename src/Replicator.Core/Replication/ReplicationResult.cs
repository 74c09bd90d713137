namespace Replicator.Core.Replication;

/// <summary>The result of one request: one entry per destination, in the request's order.</summary>
public sealed record ReplicationResult(ImageReference Source, string? SourceDigest, IReadOnlyList<DestinationResult> Destinations)
{
    public bool Succeeded => Destinations.All(d => d.Succeeded);

    /// <summary>True when at least one destination failed and every failure is transient (a retry may succeed).</summary>
    public bool ShouldRetry => !Succeeded && Destinations.Where(d => !d.Succeeded).All(d => d.Transient);
}
