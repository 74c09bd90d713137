using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The reconciler's reads: source repositories and images (whose listing names the referrers of each subject), each
/// destination's listing, and, where that listing gives a reason to doubt it, the source referrers of images every
/// destination holds. Decisions are <see cref="DriftFinder"/>'s. Every call goes through the clients it
/// is given (the retrying decorators) and waits for the <see cref="RequestPacer"/>, so a pass over a large registry
/// stays inside ECR's read quotas, shared with the replication itself.
/// </summary>
public sealed class DriftScanner
{
    /// <summary>
    /// Referrers followed below one subject, nested ones included: a bound on a pathological graph. Above the copy's
    /// own bound (<see cref="Replication.SourceReferrerWalk.MaxReferrers"/>), because each referrer found here is
    /// enqueued as an event of its own: this is how referrers a subject's copy left behind are healed.
    /// </summary>
    public const int MaxReferrers = 1000;

    private readonly IEcrClient _source;
    private readonly IDestinationClients _destinationClients;
    private readonly IReadOnlyList<ReplicationDestination> _destinations;
    private readonly RepositoryMapping _mapping;
    private readonly DriftSelection _selection;
    private readonly PacedListings _listings;

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
        paging ??= DriftScanPaging.Default;
        if (paging.Validate() is { } problem)
        {
            throw new ArgumentException(problem, nameof(paging));
        }

        _listings = new PacedListings(source, destinationClients, mapping, pacer, paging);
    }

    public DriftSelection Selection => _selection;

    /// <summary>The selected source repositories in ordinal order (the named ones, else DescribeRepositories filtered).</summary>
    public async Task<IReadOnlyList<string>> RepositoriesAsync(CancellationToken cancellationToken)
    {
        if (_selection.Repositories.Count > 0)
        {
            return ReconcileCursor.Remaining(_selection.Repositories.Where(_selection.IncludeRepository), null);
        }

        var names = await _listings.RepositoryNamesAsync(_selection.IncludeRepository, cancellationToken);
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
    /// <param name="run">The pass this scan belongs to: the source account and region, the destinations it skips.</param>
    /// <param name="stopRequested">
    /// Asked before each further page of a listing (not before the first): true stops the scan with a
    /// <see cref="ScanStoppedException"/>, so a listing of many pages does not run past the caller's stop time. Null: never.
    /// </param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public async Task<RepositoryScan?> ScanAsync(string repository, DriftScanRun run, Func<bool>? stopRequested, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (await _listings.SourceImagesAsync(repository, _selection, stopRequested, cancellationToken) is not { } source)
        {
            return null;
        }

        var registryId = source.RegistryId ?? run.SourceAccount;
        if (registryId is null && _destinations.Any(d => d.RegistryId is not null))
        {
            // An empty repository names no account, and only an ACCOUNT:REGION destination needs it.
            await _listings.PaceAsync(cancellationToken);
            if ((registryId = await SourceAccount.OfRepositoryAsync(_source, repository, cancellationToken)) is null)
            {
                return null;
            }
        }

        run.SourceAccount ??= registryId;
        var listings = new List<DestinationListing>();
        var failures = new List<DestinationFailure>();
        foreach (var destination in ReplicationDestination.For(_destinations.Where(d => !run.Skips(d)), run.SourceRegion, registryId, d => _destinationClients.WritesWithSourceCredentials(d, registryId)))
        {
            try
            {
                listings.Add(new DestinationListing(destination, await _listings.DestinationAsync(destination, repository, registryId, stopRequested, cancellationToken)));
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

        // Untagged subjects only where the listing told every subject (else they are unknown without a read per image),
        // and not for a selection by push time (--since), which an untagged image's referrers do not carry.
        var untagged = source.Referrers is { } known && _selection.IncludeImage is null ? known.UntaggedSubjects(source.TagsByDigest) : [];
        return new RepositoryScan(repository, registryId, source.SourceTags, source.TagsByDigest, listings)
        {
            IndexDigests = source.IndexDigests,
            Referrers = source.Referrers,
            FailedDestinations = failures,
            TagFilterTimeouts = source.TagFilterTimeouts,
            UntaggedSubjects = untagged,
        };
    }

    /// <summary>
    /// With deletes replicated: the destination tags (within the tag filter) the source no longer has. A tag the filter
    /// cannot decide in time is left out; the other overload names it.
    /// </summary>
    public IReadOnlyList<DriftItem> DeletedTags(RepositoryScan scan) => DeletedTags(scan, out _);

    /// <summary>
    /// <see cref="DeletedTags(RepositoryScan)"/>, with the destination tags the tag filter could not decide in time:
    /// <paramref name="timedOut"/>. Such a tag is not deleted (nothing is decided from a match that did not finish).
    /// </summary>
    public IReadOnlyList<DriftItem> DeletedTags(RepositoryScan scan, out IReadOnlyList<TagFilterTimeout> timedOut)
    {
        ArgumentNullException.ThrowIfNull(scan);
        if (!_selection.ReplicateDeletes)
        {
            timedOut = [];
            return [];
        }

        var filter = new GuardedTagFilter(scan.Repository, _selection.IncludeTag);
        var deleted = DriftFinder.DeletedTags(scan.Repository, scan.SourceTags, scan.Destinations, filter.Includes);
        timedOut = filter.TimedOut;
        return deleted;
    }

    /// <summary>
    /// The drift of one source digest: its selected tags, then, when no event is needed for the digest itself, its
    /// referrers in the destinations that hold it (recursively: a signature of an SBOM), which a push of the subject
    /// would have copied along. For an index the
    /// referrers of its children count too (a signature of one platform's manifest), as the copy follows them. A subject
    /// whose referrers the source will not list on a retry either is passed over and counted in
    /// <see cref="DigestDrift.ReferrersUnlisted"/>; a transient failure still throws.
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
        var walked = scan.Destinations;
        if (tagDrift.Count > 0 || !heldEverywhere)
        {
            var rules = new Dictionary<ReplicationDestination, TagMutabilityRule>();
            foreach (var destination in DriftFinder.HoldingElsewhere(tagDrift, scan.Destinations))
            {
                if (await _listings.MutabilityAsync(scan, run, destination, cancellationToken) is { } rule)
                {
                    rules[destination] = rule;
                }
            }

            var drift = DriftFinder.WithoutConflicts(tagDrift, scan.Destinations, _mapping.Map(scan.Repository), rules);
            if (drift.Items.Count > 0)
            {
                return drift;
            }

            // No event for the subject itself: only tags no event can heal, or an untagged subject (an image whose tag
            // moved on, an index's child) that some destination lacks. No push of the subject will follow to bring its
            // referrers, so they are walked here as for a digest without drift, in the destinations that hold it. A
            // destination that lacks the subject (its tag conflict names another image; added after the tag moved on;
            // its lifecycle expired the untagged image) counted before, and left every other destination without the
            // subject's missing signatures for as long as it lacked it. The referrer's event reaches that destination
            // too, where the function copies the subject first or, under TAG_FILTER, skips it (SubjectNotHeld).
            walked = [.. scan.Destinations.Where(d => d.Listing.Digests.Contains(digest))];
            if (walked.Count == 0)
            {
                return drift;
            }

            conflicts = drift.Conflicts;
        }

        var items = new List<DriftItem>();

        var seen = new HashSet<string>(StringComparer.Ordinal) { digest };
        if (scan.IndexDigests.Contains(digest) && (scan.Referrers is null || _selection.IncludeImage is not null))
        {
            // Asked only for index digests, so a pass over single-platform images pays nothing more; and only where the
            // listing did not tell every subject, or where a selection by push time (--since) left the untagged subjects
            // out (ScanAsync): where it did and nothing left them out, the children with referrers are untagged subjects
            // of their own (RepositoryScan.UntaggedSubjects), walked wherever they are held, without this read. A
            // platform's signature (cosign sign --recursive) is then found through its index in both cases.
            await _listings.PaceAsync(cancellationToken);
            seen.UnionWith(await IndexChildren.DigestsAsync(_source, scan.RegistryId, scan.Repository, digest, cancellationToken));
        }

        var subjects = new Queue<string>(seen.Order(StringComparer.Ordinal));
        var first = true;
        var refusals = new ReferrerRefusals();
        while (subjects.TryDequeue(out var subject) && seen.Count <= MaxReferrers)
        {
            if (!first)
            {
                PacedListings.ThrowIfStopped(stopRequested);
            }

            first = false;
            // From the source listing where it told every subject (no read); else one ListImageReferrers walk.
            IEnumerable<string> direct;
            if (scan.Referrers is { } listed)
            {
                direct = listed.Of(subject).Take(MaxReferrers + 1);
            }
            else
            {
                try
                {
                    direct = await _listings.ReferrerDigestsAsync(scan, subject, stopRequested, cancellationToken);
                }
                catch (Exception ex) when (ReferrerListing.IsLastingFailure(ex))
                {
                    // The source will not list them on the next pass either (a pull-through cache repository whose
                    // upstream cannot: UnableToListUpstreamImageReferrersException). Failing the repository here would
                    // leave every digest after this one uncompared on every pass; the copy goes on without them too.
                    refusals.Add(ex);
                    continue;
                }
            }

            var referrers = direct.Where(seen.Add).ToList();
            // A referrer with a selected tag of its own that a destination lacks is brought there by that tag's push.
            var missing = DriftFinder.ReferrerDrift(scan.Repository, referrers, walked, out var held);
            items.AddRange(DriftFinder.WithoutTaggedReferrers(missing, scan.TagsByDigest, walked));
            foreach (var next in held)
            {
                subjects.Enqueue(next);
            }
        }

        return new DigestDrift(items, conflicts) { ReferrersUnlisted = refusals.Summary() };
    }
}
