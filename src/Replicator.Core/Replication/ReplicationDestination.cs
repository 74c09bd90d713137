using Replicator.Core.Configuration;
using Replicator.Core.Partitions;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>A destination region, optionally in another account (registry id); null means the caller's own account.</summary>
public sealed record ReplicationDestination(string Region, string? RegistryId = null)
{
    /// <summary>The function's variable; the CLI passes its own option name.</summary>
    public const string Variable = "DESTINATION_REGIONS";

    /// <summary>
    /// True when this destination is the source itself, so there is nothing to copy: the source's region, in the
    /// caller's own account or in <paramref name="sourceAccount"/> (null when the source account is not known yet,
    /// as at start-up, where only a destination without an account can be told to be the source).
    /// </summary>
    public bool IsSource(string sourceRegion, string? sourceAccount = null) =>
        Region == sourceRegion && (RegistryId is null || RegistryId == sourceAccount);

    /// <summary>
    /// True when this destination is known to be in the source's account, the one rule of the repository policy copy
    /// (RepositoryProvisioner) and of the account a replicated event names. An account lives in one partition, so
    /// the destination's must be <paramref name="sourcePartition"/>; then the account it names, or, for a bare REGION,
    /// the account of the credentials that write there: the source's only when they are the replicator's own
    /// (<paramref name="writtenWithSourceCredentials"/>, <see cref="IDestinationClients.WritesWithSourceCredentials"/>).
    /// A key pair from SSM, or a role, may belong to any account, whose id the replicator does not know: not the source's.
    /// </summary>
    /// <param name="sourcePartition">The source's partition (aws, aws-cn...).</param>
    /// <param name="sourceAccount">The source's account; null when not known, which no named account matches.</param>
    /// <param name="writtenWithSourceCredentials">Whether this destination is written with the replicator's own credentials.</param>
    public bool IsInSourceAccount(string sourcePartition, string? sourceAccount, bool writtenWithSourceCredentials) =>
        AwsPartitions.IdOf(Region) == sourcePartition && (RegistryId is { } account ? account == sourceAccount : writtenWithSourceCredentials);

    /// <summary>
    /// The destinations of an image of <paramref name="sourceAccount"/> in <paramref name="sourceRegion"/>: the
    /// configured ones in order, without the source itself (<see cref="IsSource"/>) and with one entry per registry.
    /// A bare REGION written with the replicator's own credentials and SOURCE_ACCOUNT:REGION name one registry (an
    /// account's, in one region): only the first listed is kept, or the image would be written twice at once, with two
    /// replicated events and, under two DESTINATION_KMS_KEYS entries, a repository key decided by whichever copy
    /// created it first. A bare REGION written with other credentials (a role, a key pair) is in an account the
    /// replicator does not know, so it is never taken for an alias.
    /// </summary>
    /// <param name="writtenWithSourceCredentials">Whether a destination is written with the replicator's own credentials.</param>
    public static IReadOnlyList<ReplicationDestination> For(
        IEnumerable<ReplicationDestination> configured,
        string sourceRegion,
        string? sourceAccount,
        Func<ReplicationDestination, bool> writtenWithSourceCredentials)
    {
        ArgumentNullException.ThrowIfNull(configured);
        ArgumentNullException.ThrowIfNull(writtenWithSourceCredentials);
        var registries = new HashSet<(string Region, string Account)>();
        var destinations = new List<ReplicationDestination>();
        foreach (var destination in configured.Where(d => !d.IsSource(sourceRegion, sourceAccount)))
        {
            var account = destination.RegistryId ?? (writtenWithSourceCredentials(destination) ? sourceAccount : null);
            if (account is null || registries.Add((destination.Region, account)))
            {
                destinations.Add(destination);
            }
        }

        return destinations;
    }

    /// <summary>
    /// One entry, <c>region</c> or <c>account:region</c>. Throws <see cref="FormatException"/> whose message names
    /// what is wrong with the account or the region. Whether the region exists is the caller's question (an endpoint
    /// override, such as LocalEcr, accepts any well-formed name).
    /// </summary>
    public static ReplicationDestination Parse(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        var account = colon < 0 ? null : entry[..colon];
        var region = colon < 0 ? entry : entry[(colon + 1)..];
        var problem = (account is null ? null : EcrNames.ValidateRegistryId(account)) ?? EcrNames.ValidateRegion(region);
        return problem is null ? new ReplicationDestination(region, account) : throw new FormatException(problem);
    }

    /// <summary>
    /// Every entry, in order, the rule both shells apply (DESTINATION_REGIONS, <c>--destination-region</c>): an entry
    /// named twice is refused, since a user who lists a destination twice has most likely mistyped another one.
    /// Throws <see cref="SettingException"/> naming <paramref name="setting"/> and the entry.
    /// </summary>
    public static IReadOnlyList<ReplicationDestination> ParseAll(IEnumerable<string> entries, string setting = Variable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var destinations = new List<ReplicationDestination>();
        foreach (var entry in entries)
        {
            ReplicationDestination destination;
            try
            {
                destination = Parse(entry);
            }
            catch (FormatException e)
            {
                throw new SettingException(setting, $"entry {EcrNames.Quote(entry)}: {e.Message}");
            }

            if (destinations.Contains(destination))
            {
                throw new SettingException(setting, $"entry {EcrNames.Quote(entry)} is listed twice");
            }

            destinations.Add(destination);
        }

        return destinations;
    }

    /// <summary>
    /// Comma-separated lists of entries (DESTINATION_REGIONS is one; <c>--destination-region</c> may be given several
    /// times), split and parsed by <see cref="ParseAll"/>. An empty entry (<c>a,,b</c>, a trailing comma) is refused in
    /// both shells: it is more often a region left out than a stray comma.
    /// </summary>
    public static IReadOnlyList<ReplicationDestination> ParseLists(IEnumerable<string> lists, string setting = Variable)
    {
        ArgumentNullException.ThrowIfNull(lists);
        var entries = lists.SelectMany(l => l.Split(',', StringSplitOptions.TrimEntries)).ToList();
        if (entries.Any(e => e.Length == 0))
        {
            throw new SettingException(setting, "has an empty entry");
        }

        return ParseAll(entries, setting);
    }

    public override string ToString() => RegistryId is null ? Region : $"{RegistryId}:{Region}";
}
