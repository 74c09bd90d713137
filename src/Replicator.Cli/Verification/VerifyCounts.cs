namespace Replicator.Cli.Verification;

/// <summary>
/// verify's counts, kept as the entries go by: what its exit code, its table's closing line and the end of its JSON
/// need, without the entries themselves (a list of every entry outgrew the memory of a large registry).
/// </summary>
public sealed class VerifyCounts
{
    public int Entries { get; private set; }

    /// <summary>Tags in sync (referrers apart).</summary>
    public int InSyncTags { get; private set; }

    /// <summary>Referrer entries, whatever their status.</summary>
    public int Referrers { get; private set; }

    public int Missing { get; private set; }

    public int Different { get; private set; }

    public int Extra { get; private set; }

    public int ArchivedNotReplicated { get; private set; }

    /// <summary>Repositories of a destination that could not be read (<see cref="DriftStatus.Unreadable"/>), one entry each.</summary>
    public int Unreadable { get; private set; }

    /// <summary>Images whose referrers the source would not list (<see cref="DriftStatus.ReferrersUnlisted"/>), one entry per destination.</summary>
    public int ReferrersUnlisted { get; private set; }

    /// <summary>Tags deleted in the source during the check and absent from the destination (<see cref="DriftStatus.DeletedDuringCheck"/>).</summary>
    public int DeletedDuringCheck { get; private set; }

    private int InSyncEntries { get; set; }

    /// <summary>
    /// No drift: an archived source image without a replica is reported (<see cref="ArchivedNotReplicated"/>) but is
    /// not drift, since nothing can copy it until it is restored. An <see cref="Unreadable"/> destination is not in
    /// sync: nothing is known of it; nor are referrers the source would not list (<see cref="ReferrersUnlisted"/>). A
    /// tag deleted in the source during the check and gone from the destination (<see cref="DeletedDuringCheck"/>) is
    /// where both sides agree: not drift.
    /// </summary>
    public bool InSync => InSyncEntries + ArchivedNotReplicated + DeletedDuringCheck == Entries;

    public static VerifyCounts Of(IEnumerable<DriftEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var counts = new VerifyCounts();
        foreach (var entry in entries)
        {
            counts.Add(entry);
        }

        return counts;
    }

    public void Add(DriftEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Entries++;
        Referrers += entry.IsReferrer ? 1 : 0;
        switch (entry.Status)
        {
            case DriftStatus.InSync:
                InSyncEntries++;
                InSyncTags += entry.IsReferrer ? 0 : 1;
                break;
            case DriftStatus.Missing:
                Missing++;
                break;
            case DriftStatus.Different:
                Different++;
                break;
            case DriftStatus.Extra:
                Extra++;
                break;
            case DriftStatus.ArchivedNotReplicated:
                ArchivedNotReplicated++;
                break;
            case DriftStatus.Unreadable:
                Unreadable++;
                break;
            case DriftStatus.ReferrersUnlisted:
                ReferrersUnlisted++;
                break;
            case DriftStatus.DeletedDuringCheck:
                DeletedDuringCheck++;
                break;
        }
    }
}
