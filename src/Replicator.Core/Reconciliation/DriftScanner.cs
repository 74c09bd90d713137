using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Ecr.Paginators;
using Replicator.Core.Manifests;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The reconciler's reads: source repositories and images, each destination's listing, and the source referrers of
/// images every destination holds. Decisions are <see cref="DriftFinder"/>'s. Every call goes through the clients it
/// is given (the retrying decorators) and waits for the <see cref="RequestPacer"/>, so a pass over a large registry
/// stays inside ECR's read quotas, shared with the replication itself.
/// </summary>
public sealed class DriftScanner
{
    /// <summary>DescribeRepositories and DescribeImages accept maxResults 1..1000 (botocore ECR model); the default page.</summary>
    public const int PageSize = 1000;

    /// <inheritdoc cref="EcrLimits.ListImageReferrersMaxResults"/>
    public const int ReferrersPageSize = EcrLimits.ListImageReferrersMaxResults;

    /// <summary>
    /// Referrers followed below one subject, nested ones included: a bound on a pathological graph. Above the copy's
    /// own bound (<see cref="Replication.SourceImageLoader.MaxReferrers"/>), because each referrer found here is
    /// enqueued as an event of its own: this is how referrers a subject's copy left behind are healed.
    /// </summary>
    public const int MaxReferrers = 1000;

    private readonly IEcrClient _source;
    private readonly IDestinationClients _destinationClients;
    private readonly IReadOnlyList<ReplicationDestination> _destinations;
    private readonly RepositoryMapping _mapping;
    private readonly DriftSelection _selection;
    private readonly RequestPacer? _pacer;
    private readonly DriftScanPaging _paging;

    /// <param name="source">The source region's client.</param>
    /// <param name="destinationClients">Each destination's client.</param>
    /// <param name="destinations">The destinations to compare with.</param>
    /// <param name="mapping">The destination name of each source repository.</param>
    /// <param name="selection">What to look at.</param>
    /// <param name="pacer">Spaces the reads (null: unpaced, for tests and the CLI's one-off runs).</param>
    /// <param name="paging">The listings' page sizes (null: <see cref="DriftScanPaging.Default"/>, ECR's largest).</param>
    public DriftScanner(
        IEcrClient source,
        IDestinationClients destinationClients,
        IReadOnlyList<ReplicationDestination> destinations,
        RepositoryMapping mapping,
        DriftSelection selection,
        RequestPacer? pacer = null,
        DriftScanPaging? paging = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destinationClients);
        ArgumentNullException.ThrowIfNull(destinations);
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(selection);
        _source = source;
        _destinationClients = destinationClients;
        _destinations = destinations;
        _mapping = mapping;
        _selection = selection;
        _pacer = pacer;
        _paging = paging ?? DriftScanPaging.Default;
        if (_paging.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(paging));
        }
    }

    public DriftSelection Selection => _selection;

    /// <summary>The selected source repositories in ordinal order (the named ones, else DescribeRepositories filtered).</summary>
    public async Task<IReadOnlyList<string>> RepositoriesAsync(CancellationToken cancellationToken)
    {
        if (_selection.Repositories.Count > 0)
        {
            return ReconcileCursor.Remaining(_selection.Repositories.Where(_selection.IncludeRepository), null);
        }

        var names = new List<string>();
        var request = new DescribeRepositoriesRequest { MaxResults = _paging.PageSize };
        do
        {
            await PaceAsync(cancellationToken);
            var page = await _source.DescribeRepositoriesAsync(request, cancellationToken);
            names.AddRange((page.Repositories ?? []).Select(r => r.RepositoryName).OfType<string>().Where(_selection.IncludeRepository));
            request.NextToken = PageTokens.Next(page.NextToken, request.NextToken);
        }
        while (request.NextToken is not null);

        return ReconcileCursor.Remaining(names, null);
    }

    /// <summary>
    /// Lists the source repository and every destination's; null when the source repository does not exist. A
    /// destination whose listing fails is left out of <see cref="RepositoryScan.Destinations"/> and named in
    /// <see cref="RepositoryScan.FailedDestinations"/>, so one broken destination (a role not yet created in its account,
    /// a throttled STS, a repository policy) does not stop the drift of the others from being found. One whose
    /// credentials failed is skipped for the rest of <paramref name="run"/>.
    /// </summary>
    /// <param name="repository">The source repository.</param>
    /// <param name="run">The pass this scan belongs to: the source account, the destinations it skips.</param>
    /// <param name="stopRequested">
    /// Asked before each further page of a listing (not before the first): true stops the scan with a
    /// <see cref="ScanStoppedException"/>, so a listing of many pages does not run past the caller's stop time. Null: never.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<RepositoryScan?> ScanAsync(string repository, DriftScanRun run, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        var sourceTags = new HashSet<string>(StringComparer.Ordinal);
        var tagsByDigest = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var indexDigests = new HashSet<string>(StringComparer.Ordinal);
        string? registryId = null;

        // Every image, archived ones too: an archived image's tags still exist in the source, so they are never
        // taken for deleted ones; only active images are pushed (an archived one cannot be pulled).
        var request = new DescribeImagesRequest
        {
            RepositoryName = repository,
            Filter = new DescribeImagesFilter { TagStatus = TagStatus.Tagged, ImageStatus = ImageStatusFilter.Any },
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
                    if (detail.ImageDigest is not { } digest || detail.ImageTags is not { Count: > 0 } tags)
                    {
                        continue;
                    }

                    sourceTags.UnionWith(tags);
                    var active = detail.ImageStatus is null || detail.ImageStatus == ImageStatus.Active;
                    var selected = tags.Where(_selection.IncludeTag).ToList();
                    if (active && selected.Count > 0 && (_selection.IncludeImage?.Invoke(detail) ?? true))
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

        registryId ??= run.SourceAccount;
        if (registryId is null && _destinations.Any(d => d.RegistryId is not null))
        {
            // An empty or untagged-only repository names no account, and only an ACCOUNT:REGION destination needs it.
            await PaceAsync(cancellationToken);
            if ((registryId = await SourceAccount.OfRepositoryAsync(_source, repository, cancellationToken)) is null)
            {
                return null;
            }
        }

        run.SourceAccount ??= registryId;
        var listings = new List<DestinationListing>();
        var failures = new List<DestinationFailure>();
        foreach (var destination in _destinations.Where(d => !run.Skips(d)))
        {
            try
            {
                listings.Add(new DestinationListing(destination, await ListDestinationAsync(destination, repository, registryId, stopRequested, cancellationToken)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                var failure = new DestinationFailure(destination, ex);
                if (failure.CredentialsUnavailable)
                {
                    run.Skip(destination);
                }

                failures.Add(failure);
            }
        }

        return new RepositoryScan(repository, registryId, sourceTags, tagsByDigest, listings) { IndexDigests = indexDigests, FailedDestinations = failures };
    }

    /// <summary>With deletes replicated: the destination tags (within the tag filter) the source no longer has.</summary>
    public IReadOnlyList<DriftItem> DeletedTags(RepositoryScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        return _selection.ReplicateDeletes ? DriftFinder.DeletedTags(scan.Repository, scan.SourceTags, scan.Destinations, _selection.IncludeTag) : [];
    }

    /// <summary>
    /// The drift of one source digest: its selected tags, then, when every destination holds it, its referrers
    /// (recursively: a signature of an SBOM), which a push of the subject would have copied along. For an index the
    /// referrers of its children count too (a signature of one platform's manifest), as the copy follows them.
    /// </summary>
    /// <param name="scan">The repository's listings.</param>
    /// <param name="run">The pass: the destinations' tag mutability it has learned.</param>
    /// <param name="digest">The source digest.</param>
    /// <param name="stopRequested">
    /// Asked before each further subject of the walk and each further page: true stops it with a
    /// <see cref="ScanStoppedException"/> (the digest is then unfinished). Null: never.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<DigestDrift> DigestDriftAsync(RepositoryScan scan, DriftScanRun run, string digest, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(run);
        if (scan.Destinations.Count == 0)
        {
            // No destination could be listed: nothing is known, and "held everywhere" over none would walk referrers for nothing.
            return DigestDrift.None;
        }

        var tagDrift = DriftFinder.TagDrift(scan.Repository, digest, scan.TagsByDigest.TryGetValue(digest, out var tags) ? tags : [], scan.Destinations);
        var heldEverywhere = DriftFinder.HeldEverywhere(digest, scan.Destinations);
        IReadOnlyList<DriftConflict> conflicts = [];
        if (tagDrift.Count > 0 || !heldEverywhere)
        {
            var rules = new Dictionary<ReplicationDestination, TagMutabilityRule>();
            foreach (var destination in DriftFinder.HoldingElsewhere(tagDrift, scan.Destinations))
            {
                if (await MutabilityAsync(scan, run, destination, cancellationToken) is { } rule)
                {
                    rules[destination] = rule;
                }
            }

            var drift = DriftFinder.WithoutConflicts(tagDrift, scan.Destinations, _mapping.Map(scan.Repository), rules);
            if (drift.Items.Count > 0 || !heldEverywhere)
            {
                return drift;
            }

            // Only tags no event can heal: no push of the subject will follow to bring its referrers, so they are
            // walked here as for a digest without drift.
            conflicts = drift.Conflicts;
        }

        var items = new List<DriftItem>();

        var seen = new HashSet<string>(StringComparer.Ordinal) { digest };
        if (scan.IndexDigests.Contains(digest))
        {
            // Asked only for index digests, so a pass over single-platform images pays nothing more.
            await PaceAsync(cancellationToken);
            seen.UnionWith(await IndexChildren.DigestsAsync(_source, scan.RegistryId, scan.Repository, digest, cancellationToken));
        }

        var subjects = new Queue<string>(seen.Order(StringComparer.Ordinal));
        var first = true;
        while (subjects.TryDequeue(out var subject) && seen.Count <= MaxReferrers)
        {
            if (!first)
            {
                ThrowIfStopped(stopRequested);
            }

            first = false;
            var referrers = (await ListReferrersAsync(scan, subject, stopRequested, cancellationToken)).Where(seen.Add).ToList();
            items.AddRange(DriftFinder.ReferrerDrift(scan.Repository, referrers, scan.Destinations, out var held));
            foreach (var next in held)
            {
                subjects.Enqueue(next);
            }
        }

        return new DigestDrift(items, conflicts);
    }

    /// <summary>
    /// The tag mutability of <paramref name="destination"/>'s repository, asked of DescribeRepositories once a repository
    /// and destination a pass (paced like the other reads). Null when it cannot be read (a role without
    /// ecr:DescribeRepositories, the retries spent): the tag then counts as mutable, and its event is sent as before.
    /// </summary>
    private async Task<TagMutabilityRule?> MutabilityAsync(RepositoryScan scan, DriftScanRun run, ReplicationDestination destination, CancellationToken cancellationToken)
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
    private async Task<RepositoryListing> ListDestinationAsync(ReplicationDestination destination, string repository, string? sourceAccount, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        var client = _destinationClients.GetClient(destination, sourceAccount);
        var details = new List<ImageDetail>();
        var request = new DescribeImagesRequest
        {
            RegistryId = destination.RegistryId,
            RepositoryName = _mapping.Map(repository),
            Filter = new DescribeImagesFilter { ImageStatus = ImageStatusFilter.Any },
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

    private async Task<List<string>> ListReferrersAsync(RepositoryScan scan, string subject, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        // ACTIVE only, as the engine copies them: an archived referrer cannot be pulled.
        var referrers = await ReferrerListing.ListAsync(
            _source,
            scan.RegistryId,
            scan.Repository,
            subject,
            ArtifactStatusFilter.Active,
            _paging.ReferrersPageSize,
            MaxReferrers,
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

    private static void ThrowIfStopped(Func<bool>? stopRequested)
    {
        if (stopRequested?.Invoke() == true)
        {
            throw new ScanStoppedException();
        }
    }

    private ValueTask PaceAsync(CancellationToken cancellationToken) => _pacer?.WaitAsync(cancellationToken) ?? ValueTask.CompletedTask;
}
