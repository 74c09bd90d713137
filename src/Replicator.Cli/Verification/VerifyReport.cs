namespace Replicator.Cli.Verification;

/// <summary>
/// The shape of verify's --json document: the command writes it entry by entry (<see cref="Output.VerifyJsonWriter"/>)
/// rather than building this record, and its tests hold the two to the same bytes.
/// </summary>
public sealed record VerifyReport(string SourceRegion, IReadOnlyList<string> Destinations, IReadOnlyList<DriftEntry> Entries)
{
    /// <inheritdoc cref="VerifyCounts.InSync"/>
    public bool InSync => VerifyCounts.Of(Entries).InSync;

    public int Missing => VerifyCounts.Of(Entries).Missing;

    public int Different => VerifyCounts.Of(Entries).Different;

    public int Extra => VerifyCounts.Of(Entries).Extra;

    public int ArchivedNotReplicated => VerifyCounts.Of(Entries).ArchivedNotReplicated;

    /// <inheritdoc cref="VerifyCounts.Unreadable"/>
    public int Unreadable => VerifyCounts.Of(Entries).Unreadable;

    /// <inheritdoc cref="VerifyCounts.ReferrersUnlisted"/>
    public int ReferrersUnlisted => VerifyCounts.Of(Entries).ReferrersUnlisted;

    /// <inheritdoc cref="VerifyCounts.DeletedDuringCheck"/>
    public int DeletedDuringCheck => VerifyCounts.Of(Entries).DeletedDuringCheck;
}
