namespace Replicator.Core.Replication;

/// <summary>
/// The destinations a per-destination setting (DESTINATION_CREDENTIALS, DESTINATION_ROLE_ARNS, DESTINATION_KMS_KEYS) is
/// read for: the ones this run writes to or reads from (<see cref="InUse"/>), whose entries are kept, and the ones an entry
/// is expected to name (<see cref="Configured"/>), the check that shows a mistyped destination. The function uses and
/// configures the same list, DESTINATION_REGIONS. The CLI uses its <c>--destination-region</c> selection, often a subset
/// of an exported function environment: an entry for another destination of that environment is left out silently. An
/// entry naming no configured destination is left out too, and reported (<see cref="Configuration.IgnoredEntry"/>),
/// never refused: it is what a destination removed from DESTINATION_REGIONS leaves behind until its entries are
/// removed as well, and refusing it stopped every other destination.
/// </summary>
public sealed class DestinationScope
{
    /// <param name="inUse">The destinations of this run.</param>
    /// <param name="configured">What an entry is expected to name besides <paramref name="inUse"/>; null: any well-formed entry, unreported.</param>
    public DestinationScope(IReadOnlyList<ReplicationDestination> inUse, IReadOnlyList<ReplicationDestination>? configured)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        InUse = inUse;
        Configured = configured is null ? null : [.. configured.Union(inUse)];
    }

    /// <summary>No destination is used and any well-formed entry is accepted: a run that makes no destination call.</summary>
    public static DestinationScope None { get; } = new([], null);

    public IReadOnlyList<ReplicationDestination> InUse { get; }

    /// <summary>Every destination an entry is expected to name (it includes <see cref="InUse"/>); null: any well-formed entry, unreported.</summary>
    public IReadOnlyList<ReplicationDestination>? Configured { get; }

    /// <summary>The function's scope: every destination is used, and an entry naming another one is reported.</summary>
    public static DestinationScope Every(IReadOnlyList<ReplicationDestination> destinations) => new(destinations, destinations);

    /// <summary>
    /// The CLI's scope: the <paramref name="selected"/> destinations are used; when the function's DESTINATION_REGIONS is
    /// exported too (<paramref name="destinationRegions"/>, null or blank when not), an entry naming neither one of them
    /// nor the selection is reported, as the function reports it; else only its grammar is checked. Throws
    /// <see cref="Configuration.SettingException"/> for a malformed DESTINATION_REGIONS.
    /// </summary>
    public static DestinationScope Selected(IReadOnlyList<ReplicationDestination> selected, string? destinationRegions) =>
        new(selected, string.IsNullOrWhiteSpace(destinationRegions) ? null : ReplicationDestination.ParseLists([destinationRegions], ReplicationDestination.Variable));

    /// <summary>True when an entry naming <paramref name="destination"/> is not reported.</summary>
    public bool Allows(ReplicationDestination destination) => Configured?.Contains(destination) ?? true;

    /// <summary>True when an entry naming the region <paramref name="region"/> (of any account) is not reported.</summary>
    public bool AllowsRegion(string region) => Configured?.Any(d => d.Region == region) ?? true;

    /// <summary>True when an entry naming the account <paramref name="account"/> is not reported.</summary>
    public bool AllowsAccount(string account) => Configured?.Any(d => d.RegistryId == account) ?? true;
}
