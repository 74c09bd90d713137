namespace Replicator.Cli.Verification;

/// <summary>verify's result, also its --json shape.</summary>
public sealed record VerifyReport(string SourceRegion, IReadOnlyList<string> Destinations, IReadOnlyList<DriftEntry> Entries)
{
    public bool InSync => Entries.All(e => e.Status == DriftStatus.InSync);

    public int Missing => Entries.Count(e => e.Status == DriftStatus.Missing);

    public int Different => Entries.Count(e => e.Status == DriftStatus.Different);

    public int Extra => Entries.Count(e => e.Status == DriftStatus.Extra);
}
