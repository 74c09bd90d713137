namespace Replicator.Core.Reconciliation;

/// <summary>
/// A <see cref="DriftScanner"/> call stopped between two of its reads because its caller asked it to (the reconcile
/// run reached its stop time): the unit it was reading (a repository's listings, a digest's referrer walk) is
/// unfinished and is read again by the next run. A cancellation, so code that does not know it treats it as one.
/// </summary>
public sealed class ScanStoppedException : OperationCanceledException
{
    public ScanStoppedException()
        : base("the reconcile run reached its stop time inside a unit of work; the next run reads that unit again")
    {
    }
}
