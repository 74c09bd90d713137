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
        await foreach (var repository in client.Paginators.DescribeRepositories(new DescribeRepositoriesRequest()).Repositories.WithCancellation(cancellationToken))
        {
            if (repository.RepositoryName is { } name)
            {
                names.Add(name);
            }
        }

        return ImageSelector.SelectRepositories(names, criteria);
    }

    /// <summary>The tagged images of a repository; null when it does not exist.</summary>
    public static async Task<IReadOnlyList<ImageDetail>?> TaggedImagesAsync(IEcrClient client, string? registryId, string repository, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var request = new DescribeImagesRequest
        {
            RegistryId = registryId,
            RepositoryName = repository,
            Filter = new DescribeImagesFilter { TagStatus = TagStatus.Tagged },
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

    /// <summary>The selected images of the source, repository by repository; a named repository that is missing is a usage error.</summary>
    public static async Task<IReadOnlyList<SourceImageEntry>> SelectSourceAsync(IEcrClient client, SelectionCriteria criteria, bool applySince, CancellationToken cancellationToken)
    {
        var selected = new List<SourceImageEntry>();
        foreach (var repository in await RepositoriesAsync(client, criteria, cancellationToken))
        {
            var details = await TaggedImagesAsync(client, null, repository, cancellationToken)
                ?? throw new UsageException($"repository {repository} does not exist in {criteria.SourceRegion}");
            var registryId = details.Select(d => d.RegistryId).FirstOrDefault(r => r is not null);
            selected.AddRange(ImageSelector.SelectImages(repository, details, criteria, applySince).Select(i => new SourceImageEntry(registryId, i)));
        }

        return selected;
    }
}
