using Replicator.Cli.Composition;
using Replicator.Cli.Inventory;
using Replicator.Cli.Selection;
using Replicator.Core.Ecr;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>--destination-region ACCOUNT:REGION</c> naming the source's own account and region is the source registry
/// itself. SelectionParser refuses a bare source region, but the account is known only from the registry. The engine
/// refuses such a destination on every image (RequestValidator: InvalidRequest) and the function and the reconciler
/// skip it (ReplicationDestination.IsSource), whatever the mapping; so <c>sync</c> would list the whole selection to
/// fail each image (exit 1, as if the copies had failed), <c>--dry-run</c> stopped on the engine's ArgumentException and
/// <c>--enqueue</c> compared nothing with it. It is a usage error (exit 2), before anything is written.
/// </summary>
internal static class SourceRegistryDestination
{
    /// <summary>
    /// Whether a destination could be the source registry, or another name of a bare destination's registry: one that
    /// names an account.
    /// </summary>
    public static bool Possible(SelectionCriteria criteria) =>
        criteria.Destinations.Any(d => d.RegistryId is not null);

    /// <summary>
    /// Refuses a destination that is the source registry of <paramref name="account"/> (null knows none), and
    /// SOURCE_ACCOUNT:REGION given with a bare REGION written with the source's own credentials: one registry, which
    /// the function writes once (ReplicationDestination.For keeps the first) and the engine would write twice at once,
    /// every image counted twice.
    /// </summary>
    public static void Refuse(SelectionCriteria criteria, string? account, IDestinationClients destinations)
    {
        if (account is null)
        {
            return;
        }

        if (criteria.Destinations.FirstOrDefault(d => d.RegistryId is not null && d.IsSource(criteria.SourceRegion, account)) is { } own)
        {
            throw new UsageException($"--destination-region {own} is the source registry (account {account} in {criteria.SourceRegion}): nothing is replicated into the source itself (the function skips it on every record); give another region or account");
        }

        foreach (var named in criteria.Destinations.Where(d => d.RegistryId == account))
        {
            if (criteria.Destinations.FirstOrDefault(d => d.RegistryId is null && d.Region == named.Region && destinations.WritesWithSourceCredentials(d, account)) is { } bare)
            {
                throw new UsageException($"--destination-region {named} and {bare} name one registry (account {account}, the source's, in {named.Region}): give one of them");
            }
        }
    }

    /// <summary>
    /// The check for a selection: the account is read with one DescribeRepositories of the first selected repository,
    /// and only when a destination names an account (verify reads it the same way), unless the caller has read it
    /// already (<paramref name="account"/>: <c>sync --enqueue</c> reads it to check the queue's account).
    /// </summary>
    public static async Task RefuseAsync(IEcrClient source, IDestinationClients destinations, SelectionCriteria criteria, string? account, CancellationToken cancellationToken)
    {
        if (!Possible(criteria))
        {
            return;
        }

        if (account is not null)
        {
            Refuse(criteria, account, destinations);
            return;
        }

        var repositories = await ImageInventory.RepositoriesAsync(source, criteria, cancellationToken);
        if (repositories.Count > 0)
        {
            Refuse(criteria, await SourceAccount.OfRepositoryAsync(source, repositories[0], cancellationToken), destinations);
        }
    }
}
