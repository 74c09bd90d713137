namespace Replicator.Function.Reconcile;

/// <summary>
/// One reconcile run: the source account and region the events name, the run's id (joins each message's
/// deduplication id, so a retried send inside one run is dropped and another run's is not), the event time, and when
/// to stop.
/// </summary>
public sealed record ReconcileRun
{
    /// <summary>The source account, used when DescribeImages does not report the registry id.</summary>
    public string? Account { get; init; }

    public required string Region { get; init; }

    public string? RunId { get; init; }

    /// <summary>The events' <c>time</c>: now, when the drift was found (the function writes no ReplicationLatency for messages the reconciler sent).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>No new work starts at or after this instant (the invocation deadline minus a margin); null: no bound.</summary>
    public DateTimeOffset? StopAt { get; init; }
}
