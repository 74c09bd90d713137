using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// <see cref="DriftScanner"/>'s reads, each one waiting for the <see cref="RequestPacer"/> and, from a listing's second
/// page on, asking whether the caller wants to stop: the source repositories and images, a destination's
/// images, a subject's referrers, a destination repository's tag mutability.
/// </summary>
internal sealed class PacedListings
{
    private readonly IEcrClient _source;
    private readonly IDestinationClients _destinationClients;
    private readonly RepositoryMapping _mapping;
    private readonly RequestPacer? _pacer;
    private readonly DriftScanPaging _paging;

    public PacedListings(IEcrClient source, IDestinationClients destinationClients, RepositoryMapping mapping, RequestPacer? pacer, DriftScanPaging paging)
    {
        _source = source;
        _destinationClients = destinationClients;
        _mapping = mapping;
        _pacer = pacer;
        _paging = paging;
    }

    /// <summary>The source repositories <paramref name="include"/> selects, in DescribeRepositories' order.</summary>
    public async Task<List<string>> RepositoryNamesAsync(Func<string, bool> include, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var request = new DescribeRepositoriesRequest { MaxResults = _paging.PageSize };
        do
        {
            await PaceAsync(cancellationToken);
            var page = await _source.DescribeRepositoriesAsync(request, cancellationToken);
            names.AddRange((page.Repositories ?? []).Select(r => r.RepositoryName).OfType<string>().Where(include));
            request.NextToken = PageTokens.Next(page.NextToken, request.NextToken);
        }
        while (request.NextToken is not null);

        return names;
    }

    /// <summary>The images of the source <paramref name="repository"/>; null when the repository does not exist.</summary>
    public async Task<SourceListing?> SourceImagesAsync(string repository, DriftSelection selection, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        var sourceTags = new HashSet<string>(StringComparer.Ordinal);
        var tagsByDigest = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var indexDigests = new HashSet<string>(StringComparer.Ordinal);
        var referrers = new SubjectReferrers();
        var filter = new GuardedTagFilter(repository, selection.IncludeTag);
        string? registryId = null;

        // Every image, archived ones too: an archived image's tags still exist in the source, so they are never
        // taken for deleted ones; only active images are pushed (an archived one cannot be pulled). Untagged ones too:
        // referrers are mostly pushed by digest, and their subjectManifestDigest tells the referrers of every subject
        // at the price of the listing's pages, where one ListImageReferrers call per subject costs a read per image.
        var request = new DescribeImagesRequest
        {
            RepositoryName = repository,
            Filter = new DescribeImagesFilter { TagStatus = TagStatus.Any, ImageStatus = ImageStatusFilter.Any },
            MaxResults = _paging.PageSize,
        };
        try
        {
            do
            {
                await NextPageAsync(request.NextToken, stopRequested, cancellationToken);
                var page = await _source.DescribeImagesAsync(request, cancellationToken);
                foreach (var detail in page.ImageDetails ?? [])
                {
                    registryId ??= detail.RegistryId;
                    referrers.Add(detail);
                    if (detail.ImageDigest is not { } digest || detail.ImageTags is not { Count: > 0 } tags)
                    {
                        continue;
                    }

                    sourceTags.UnionWith(tags);
                    var active = detail.ImageStatus is null || detail.ImageStatus == ImageStatus.Active;
                    var selected = tags.Where(filter.Includes).ToList();
                    if (active && selected.Count > 0 && (selection.IncludeImage?.Invoke(detail) ?? true))
                    {
                        tagsByDigest[digest] = selected;
                        if (MediaTypes.IsIndex(detail.ImageManifestMediaType))
                        {
                            indexDigests.Add(digest);
                        }
                    }
                }

                request.NextToken = PageTokens.Next(page.NextToken, request.NextToken);
            }
            while (request.NextToken is not null);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }

        return new SourceListing(registryId, sourceTags, tagsByDigest, indexDigests, referrers.Trusted ? referrers : null, filter.TimedOut);
    }

    /// <summary>
    /// The tag mutability of <paramref name="destination"/>'s repository, asked of DescribeRepositories once a repository
    /// and destination a pass (paced like the other reads). Null when it cannot be read (a role without
    /// ecr:DescribeRepositories, the retries spent): the tag then counts as mutable, and its event is sent as before.
    /// </summary>
    public async Task<TagMutabilityRule?> MutabilityAsync(RepositoryScan scan, DriftScanRun run, ReplicationDestination destination, CancellationToken cancellationToken)
    {
        if (run.TryGetMutability(scan.Repository, destination, out var known))
        {
            return known;
        }

        TagMutabilityRule? rule;
        try
        {
            await PaceAsync(cancellationToken);
            var client = _destinationClients.GetClient(destination, scan.RegistryId);
            var response = await client.DescribeRepositoriesAsync(
                new DescribeRepositoriesRequest { RegistryId = destination.RegistryId, RepositoryNames = [_mapping.Map(scan.Repository)] }, cancellationToken);
            rule = response.Repositories?.FirstOrDefault() is { } repository ? TagMutabilityRule.From(repository) : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            rule = null;
        }

        run.SetMutability(scan.Repository, destination, rule);
        return rule;
    }

    /// <summary>
    /// DescribeImages rather than ListImages: the destination roles in other accounts (destination-role.yaml) and the
    /// stack's destination policies already grant it, and it answers the same digests and tags. Archived images count
    /// as held, so the reconciler never fights a destination's own lifecycle rules.
    /// </summary>
    public async Task<RepositoryListing> DestinationAsync(ReplicationDestination destination, string repository, string? sourceAccount, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        var client = _destinationClients.GetClient(destination, sourceAccount);
        var details = new List<ImageDetail>();
        var request = new DescribeImagesRequest
        {
            RegistryId = destination.RegistryId,
            RepositoryName = _mapping.Map(repository),

            // Every tag status said, as for the source: the API reference gives no default for tagStatus, and a
            // destination listed as TAGGED only would miss every untagged referrer and enqueue it on every pass.
            Filter = new DescribeImagesFilter { TagStatus = TagStatus.Any, ImageStatus = ImageStatusFilter.Any },
            MaxResults = _paging.PageSize,
        };
        try
        {
            do
            {
                await NextPageAsync(request.NextToken, stopRequested, cancellationToken);
                var page = await client.DescribeImagesAsync(request, cancellationToken);
                details.AddRange(page.ImageDetails ?? []);
                request.NextToken = PageTokens.Next(page.NextToken, request.NextToken);
            }
            while (request.NextToken is not null);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            // The function creates it with the first image: everything is missing.
            return RepositoryListing.Empty;
        }

        return RepositoryListing.From(details.Where(d => d.ImageDigest is not null).SelectMany(d =>
            d.ImageTags is { Count: > 0 } tags
                ? tags.Select(t => new ImageIdentifier { ImageDigest = d.ImageDigest, ImageTag = t })
                : [new ImageIdentifier { ImageDigest = d.ImageDigest }]));
    }

    public async Task<List<string>> ReferrerDigestsAsync(RepositoryScan scan, string subject, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        // ACTIVE only, as the engine copies them: an archived referrer cannot be pulled.
        var referrers = await ReferrerListing.ListAsync(
            _source,
            scan.RegistryId,
            scan.Repository,
            subject,
            ArtifactStatusFilter.Active,
            _paging.ReferrersPageSize,
            DriftScanner.MaxReferrers,
            (token, cancellation) => NextPageAsync(token, stopRequested, cancellation),
            cancellationToken);
        return [.. referrers.Select(r => r.Digest!)];
    }

    /// <summary>
    /// Before a page: the stop check (from the second page of a listing on, so every call makes progress) and the pacer.
    /// </summary>
    private ValueTask NextPageAsync(string? nextToken, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        if (nextToken is not null)
        {
            ThrowIfStopped(stopRequested);
        }

        return PaceAsync(cancellationToken);
    }

    public static void ThrowIfStopped(Func<bool>? stopRequested)
    {
        if (stopRequested?.Invoke() == true)
        {
            throw new ScanStoppedException();
        }
    }

    public ValueTask PaceAsync(CancellationToken cancellationToken) => _pacer?.WaitAsync(cancellationToken) ?? ValueTask.CompletedTask;
}
