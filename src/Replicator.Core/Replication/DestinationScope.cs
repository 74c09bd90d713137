namespace Replicator.Core.Replication;

/// <summary>
/// The destinations a per-destination setting (DESTINATION_CREDENTIALS, DESTINATION_ROLE_ARNS, DESTINATION_KMS_KEYS) is
/// read for: the ones this run writes to or reads from (<see cref="InUse"/>), whose entries are kept, and the ones an entry
/// may name at all (<see cref="Configured"/>), the check that catches a mistyped destination. The function uses and
/// configures the same list, DESTINATION_REGIONS, so every entry must name one of them. The CLI uses its
/// <c>--destination-region</c> selection, often a subset of an exported function environment: an entry for another
/// destination of that environment is left out, not refused.
/// </summary>
public sealed class DestinationScope
{
    /// <param name="inUse">The destinations of this run.</param>
    /// <param name="configured">What an entry may name besides <paramref name="inUse"/>; null: any well-formed entry.</param>
    public DestinationScope(IReadOnlyList<ReplicationDestination> inUse, IReadOnlyList<ReplicationDestination>? configured)
    {
        ArgumentNullException.ThrowIfNull(inUse);
        InUse = inUse;
        Configured = configured is null ? null : [.. configured.Union(inUse)];
    }

    /// <summary>No destination is used and any well-formed entry is accepted: a run that makes no destination call.</summary>
    public static DestinationScope None { get; } = new([], null);

    public IReadOnlyList<ReplicationDestination> InUse { get; }

    /// <summary>Every destination an entry may name (it includes <see cref="InUse"/>); null: any well-formed entry.</summary>
    public IReadOnlyList<ReplicationDestination>? Configured { get; }

    /// <summary>The function's scope: every destination is used, and an entry naming another one is a mistake.</summary>
    public static DestinationScope Every(IReadOnlyList<ReplicationDestination> destinations) => new(destinations, destinations);

    /// <summary>
    /// The CLI's scope: the <paramref name="selected"/> destinations are used; when the function's DESTINATION_REGIONS is
    /// exported too (<paramref name="destinationRegions"/>, null or blank when not), an entry must name one of them or of
    /// the selection, as the function checks it; else only its grammar is checked. Throws
    /// <see cref="Configuration.SettingException"/> for a malformed DESTINATION_REGIONS.
    /// </summary>
    public static DestinationScope Selected(IReadOnlyList<ReplicationDestination> selected, string? destinationRegions) =>
        new(selected, string.IsNullOrWhiteSpace(destinationRegions) ? null : ReplicationDestination.ParseLists([destinationRegions], ReplicationDestination.Variable));

    /// <summary>True when an entry may name <paramref name="destination"/>.</summary>
    public bool Allows(ReplicationDestination destination) => Configured?.Contains(destination) ?? true;

    /// <summary>True when an entry may name the region <paramref name="region"/> (of any account).</summary>
    public bool AllowsRegion(string region) => Configured?.Any(d => d.Region == region) ?? true;

    /// <summary>True when an entry may name the account <paramref name="account"/>.</summary>
    public bool AllowsAccount(string account) => Configured?.Any(d => d.RegistryId == account) ?? true;
}
