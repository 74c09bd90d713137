namespace Replicator.Cli.Verification;

/// <summary>verify's result, also its --json shape.</summary>
public sealed record VerifyReport(string SourceRegion, IReadOnlyList<string> Destinations, IReadOnlyList<DriftEntry> Entries)
{
    /// <summary>
    /// No drift: an archived source image without a replica is reported (<see cref="ArchivedNotReplicated"/>) but is
    /// not drift, since nothing can copy it until it is restored. An <see cref="Unreadable"/> destination is not in
    /// sync: nothing is known of it; nor are referrers the source would not list (<see cref="ReferrersUnlisted"/>).
    /// </summary>
    public bool InSync => Entries.All(e => e.Status is DriftStatus.InSync or DriftStatus.ArchivedNotReplicated);

    public int Missing => Entries.Count(e => e.Status == DriftStatus.Missing);

    public int Different => Entries.Count(e => e.Status == DriftStatus.Different);

    public int Extra => Entries.Count(e => e.Status == DriftStatus.Extra);

    public int ArchivedNotReplicated => Entries.Count(e => e.Status == DriftStatus.ArchivedNotReplicated);

    /// <summary>Repositories of a destination that could not be read (<see cref="DriftStatus.Unreadable"/>), one entry each.</summary>
    public int Unreadable => Entries.Count(e => e.Status == DriftStatus.Unreadable);

    /// <summary>Images whose referrers the source would not list (<see cref="DriftStatus.ReferrersUnlisted"/>), one entry per destination.</summary>
    public int ReferrersUnlisted => Entries.Count(e => e.Status == DriftStatus.ReferrersUnlisted);
}
