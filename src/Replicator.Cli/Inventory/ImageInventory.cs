using Replicator.Cli.Composition;
using Replicator.Cli.Selection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Cli.Inventory;

/// <summary>The I/O half of selection: pages of DescribeRepositories and DescribeImages, handed to <see cref="ImageSelector"/>.</summary>
public static class ImageInventory
{
    /// <summary>The selected repositories of the source: the named ones as given, else every one matching the prefix.</summary>
    public static async Task<IReadOnlyList<string>> RepositoriesAsync(IEcrClient client, SelectionCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(criteria);
        if (criteria.Repositories.Count > 0)
        {
            return ImageSelector.SelectRepositories(criteria.Repositories, criteria);
        }

        var names = new List<string>();

        // The model's largest page: without maxResults ECR answers "up to 100 results" a page (botocore ECR model,
        // DescribeRepositories/DescribeImages maxResults), ten times the calls over a large registry.
        var request = new DescribeRepositoriesRequest { MaxResults = EcrLimits.DescribeMaxResults };
        await foreach (var repository in client.Paginators.DescribeRepositories(request).Repositories.WithCancellation(cancellationToken))
        {
            if (repository.RepositoryName is { } name)
            {
                names.Add(name);
            }
        }

        return ImageSelector.SelectRepositories(names, criteria);
    }

    /// <summary>
    /// What to do with a selected repository whose listing says it does not exist: a name given with
    /// <c>--repository</c> is a usage error; one the registry listing returned was deleted since (a CI's throwaway
    /// repositories, say), so null: left out as if deleted a moment sooner, rather than ending the whole run.
    /// </summary>
    public static UsageException? Vanished(SelectionCriteria criteria, string repository)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return criteria.Repositories.Count > 0 ? MissingRepository(criteria, repository) : null;
    }

    /// <summary>The usage error of a repository named in the selection that the source does not have.</summary>
    public static UsageException MissingRepository(SelectionCriteria criteria, string repository)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return new UsageException($"repository {repository} does not exist in {criteria.SourceRegion}");
    }

    /// <summary>The usage error of a selection that matches no repository of the source.</summary>
    public static UsageException NoRepository(SelectionCriteria criteria, string what)
    {
        ArgumentNullException.ThrowIfNull(criteria);
        return new UsageException($"no repository in {criteria.SourceRegion} matches the selection: nothing to {what}");
    }

    /// <summary>
    /// The tagged images of a repository in every status; null when it does not exist. Without a status filter
    /// DescribeImages leaves archived images out (botocore ECR model, DescribeImagesFilter.imageStatus: "If not
    /// specified, only images with ACTIVE status are returned"); a copy needs only the ACTIVE ones (an archived image
    /// cannot be pulled), but lists them all in the same pages to say how many tags it leaves out.
    /// </summary>
    public static Task<IReadOnlyList<ImageDetail>?> TaggedImagesAsync(IEcrClient client, string? registryId, string repository, CancellationToken cancellationToken) =>
        ListAsync(client, registryId, repository, new DescribeImagesFilter { TagStatus = TagStatus.Tagged, ImageStatus = ImageStatusFilter.Any }, cancellationToken);

    /// <summary>
    /// Every image of a repository, tagged or not, in every status; null when it does not exist. Untagged ones too
    /// because referrers are mostly pushed by digest: their <c>subjectManifestDigest</c> (botocore ECR model,
    /// ImageDetail) names the referrers of every subject at the price of the listing's pages, where asking
    /// ListImageReferrers costs a call per image (<see cref="Replicator.Core.Reconciliation.SubjectReferrers"/>).
    /// </summary>
    public static Task<IReadOnlyList<ImageDetail>?> EveryImageAsync(IEcrClient client, string? registryId, string repository, CancellationToken cancellationToken) =>
        ListAsync(client, registryId, repository, new DescribeImagesFilter { TagStatus = TagStatus.Any, ImageStatus = ImageStatusFilter.Any }, cancellationToken);

    private static async Task<IReadOnlyList<ImageDetail>?> ListAsync(IEcrClient client, string? registryId, string repository, DescribeImagesFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new DescribeImagesRequest
        {
            RegistryId = registryId,
            RepositoryName = repository,
            Filter = filter,
            MaxResults = EcrLimits.DescribeMaxResults,
        };
        var details = new List<ImageDetail>();
        try
        {
            await foreach (var detail in client.Paginators.DescribeImages(request).ImageDetails.WithCancellation(cancellationToken))
            {
                details.Add(detail);
            }
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }

        return details;
    }

    /// <summary>
    /// The selected images of the source, one repository at a time: a repository's images are listed when the one
    /// before it has been handed on, so a run over a large registry holds one repository's listing, not the
    /// registry's. A selection that matches no repository is a usage error (as in <c>verify</c>: "nothing to do" after a
    /// typo in the selection would pass a script that checks the exit code), and so is a repository named with
    /// <c>--repository</c> that the source does not have, found before the first repository is handed on
    /// (<see cref="RequireNamedAsync"/>).
    /// </summary>
    public static async IAsyncEnumerable<SourceRepository> SelectSourceAsync(
        IEcrClient client,
        SelectionCriteria criteria,
        bool applySince,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(criteria);
        var repositories = await RepositoriesAsync(client, criteria, cancellationToken);
        if (repositories.Count == 0)
        {
            throw NoRepository(criteria, "sync");
        }

        await RequireNamedAsync(client, criteria, cancellationToken);
        foreach (var repository in repositories)
        {
            var details = await TaggedImagesAsync(client, null, repository, cancellationToken);
            if (details is null)
            {
                // Named and deleted since the check above: the same usage error; listed and deleted since: left out.
                if (Vanished(criteria, repository) is { } missing)
                {
                    throw missing;
                }

                continue;
            }

            var registryId = details.Select(d => d.RegistryId).FirstOrDefault(r => r is not null);
            var selected = ImageSelector.SelectImages(repository, details, criteria, applySince);
            yield return new SourceRepository(repository, registryId, [.. selected.Where(i => i.IsActive)], selected.Count(i => !i.IsActive));
        }
    }

    /// <summary>
    /// A repository named with <c>--repository</c> that the source does not have is a usage error, found before
    /// anything is copied or sent: one DescribeImages of a single result each (a read the run makes anyway). Without
    /// it a typo in the third name would end the run after the first two repositories were copied, or (in the
    /// reconciler, which passes over a repository deleted between its listing and its read) in exit 0.
    /// </summary>
    public static async Task RequireNamedAsync(IEcrClient client, SelectionCriteria criteria, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(criteria);
        foreach (var repository in ImageSelector.SelectRepositories(criteria.Repositories, criteria))
        {
            DescribeImagesResponse listed;
            try
            {
                listed = await client.DescribeImagesAsync(new DescribeImagesRequest { RepositoryName = repository, MaxResults = 1 }, cancellationToken);
            }
            catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
            {
                throw MissingRepository(criteria, repository);
            }

            if (criteria.RepositoryRegistries.TryGetValue(repository, out var host))
            {
                // A repository URI of another account names another registry: the same name in the caller's registry
                // is another repository, refused as copy refuses an image URI of another account. The listing names
                // the account; an empty repository's costs one DescribeRepositories.
                var account = listed.ImageDetails?.Select(d => d.RegistryId).FirstOrDefault(r => r is not null)
                    ?? await Core.Reconciliation.SourceAccount.OfRepositoryAsync(client, repository, cancellationToken);
                if (account is not null && !string.Equals(account, host.Account, StringComparison.Ordinal))
                {
                    throw new UsageException($"{SelectionParser.RepositoryOption} {Core.Validation.EcrNames.Quote(host.Host + "/" + repository)} is in account {host.Account}'s registry, but the source registry in {criteria.SourceRegion} is account {account}'s (the credentials in use): only that one is read; use credentials of account {host.Account}");
                }
            }
        }
    }
}
