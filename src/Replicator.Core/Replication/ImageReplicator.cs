using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Planning;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// The engine: replicates one source image to every destination, each on its own (one failing destination
/// neither stops nor undoes the others), and removes deleted tags or digests when asked. Thread-safe: one
/// instance serves concurrent requests and shares its layer slots, in-flight copies and PutImage pacing.
/// </summary>
public sealed class ImageReplicator : IImageReplicator
{
    private readonly IEcrClientProvider _clients;
    private readonly IDestinationClients _destinationClients;
    private readonly SourceImageLoader _loader;
    private readonly RepositoryProvisioner _provisioner;
    private readonly DestinationReplicator _destinations;
    private readonly BlobCopier _copier;
    private readonly CopySlots _slots;
    private readonly ImageDeleter _deleter;
    private readonly IReplicationObserver _observer;
    private readonly TimeProvider _time;
    private readonly RepositoryMapping _mapping;

    public ImageReplicator(IEcrClientProvider clients, HttpClient downloads, ReplicatorOptions options, TimeProvider? time = null, IReplicationObserver? observer = null, Func<double>? random = null, IDestinationClients? destinationClients = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallelLayers, 1);
        ArgumentNullException.ThrowIfNull(clients);
        _time = time ?? TimeProvider.System;
        _observer = observer ?? NullReplicationObserver.Instance;

        // Every ECR call of the engine goes through the one retry policy, as a decorator; nothing below retries a
        // call. Without routing, every destination is a region of the source account, written with the same
        // credentials.
        var unitRandom = random ?? Random.Shared.NextDouble;
        var calls = new EcrCallRunner(options.Retry, _time, unitRandom, _observer.Retrying);
        _clients = new RetryingEcrClientProvider(clients, calls);
        _destinationClients = new RetryingDestinationClients(destinationClients ?? new SourceCredentialsDestinationClients(clients), calls);
        _loader = new SourceImageLoader();
        _provisioner = new RepositoryProvisioner(options.KmsKeyIds);
        _destinations = new DestinationReplicator(_provisioner, options, _time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlobCopy.PartsInFlight, 1);
        Parts = new SharedPartPool(options.MaxParallelLayers * (options.BlobCopy.PartsInFlight + 1));
        // Download resumes wait by the same rule, clock and random source as the ECR calls.
        _copier = new BlobCopier(downloads, options.BlobCopy, options.Retry, new RetryBackoff(options.Retry, _time, unitRandom), Parts);
        _slots = new CopySlots(options.MaxParallelLayers);
        _deleter = new ImageDeleter(options.RepositoryMapping);
        _mapping = options.RepositoryMapping;
    }

    /// <summary>The part buffers of every copy of this engine (their count bounds its memory; tests read its counters).</summary>
    internal SharedPartPool Parts { get; }

    /// <summary>The source clients the engine reads with, each call through its one retry policy (the reconciler reads through them too).</summary>
    public IEcrClientProvider Clients => _clients;

    /// <summary>The destinations' clients, through the same retry policy.</summary>
    public IDestinationClients DestinationClients => _destinationClients;

    /// <summary>
    /// How far a referrer event climbs its subject chain (a signature of an SBOM of an image is 2). Bounds the
    /// recursion on a hostile chain: at the bound the subject is not copied but must already be in the destination,
    /// else the referrer waits (a transient failure) for the subject's own push, whose referrers walk brings it.
    /// </summary>
    public const int MaxSubjectDepth = 4;

    public Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        ReplicateAsync(request, 0, cancellationToken);

    private async Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, int depth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return AllFailed(request, null, "InvalidRequest", invalid, transient: false, started);
        }

        var source = request.Source;
        var client = _clients.GetClient(source.Region);
        SourceImage image;
        Lazy<Task<SourceRepositorySettings>> settings;
        try
        {
            SourceImage? loaded;
            ReplicationException? inaccessible = null;
            try
            {
                loaded = await _loader.LoadAsync(client, source, cancellationToken);
            }
            catch (ReplicationException e) when (e.ErrorCode == ImageFailureCode.ImageInaccessible)
            {
                // ECR documents a pull of an archived image as a 404; should BatchGetImage answer ImageInaccessible
                // instead, the archive check below still tells the two apart.
                (loaded, inaccessible) = (null, e);
            }

            if (loaded is null)
            {
                switch (await _loader.UnservedStatusAsync(client, source, cancellationToken))
                {
                    case ImageStatus.Archived:
                        return AllArchived(request, started);
                    case ImageStatus.Activating:
                        // Being restored from the archive: not gone, and served once ACTIVE, so redelivered until then.
                        return AllFailed(
                            request,
                            source.Digest,
                            ReplicationErrorCodes.SourceImageActivating,
                            $"the source image {request.Source} is being restored from the archive (imageStatus ACTIVATING); retried until it is ACTIVE",
                            transient: true,
                            started);
                }

                return inaccessible is null ? AllSkipped(request, started) : throw inaccessible;
            }

            image = loaded;
            settings = new Lazy<Task<SourceRepositorySettings>>(
                () => _provisioner.ReadSourceAsync(client, source.RegistryId, source.RepositoryName, cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
            return AllFailed(request, source.Digest, code, message, transient, started);
        }

        if (request.UntaggedReferrersOnly)
        {
            return await SelectedReferrerAsync(request, (client, image, settings), started, cancellationToken);
        }

        // A referrer (signature, SBOM) whose event overtook its subject's: publish the subject first, never a
        // referrer that points at nothing. The subject's copy lists its referrers, so it brings this one too.
        var ready = request.Destinations;
        var waiting = new List<DestinationResult>();
        ReplicationResult? subjectResult = null;
        if (image.Root.Subject is { } subject && depth < MaxSubjectDepth)
        {
            var subjectRequest = new ReplicationRequest(source with { Digest = subject.Digest, Tag = null }, request.Destinations);
            subjectResult = await ReplicateAsync(subjectRequest, depth + 1, cancellationToken);
            ready = [.. subjectResult.Destinations.Where(d => d.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate).Select(d => d.Destination)];
            waiting.AddRange(subjectResult.Destinations.Where(d => !ready.Contains(d.Destination)).Select(d => SubjectUnavailable(d, image.Root.ReferenceDigest, subject.Digest, started)));
        }
        else if (image.Root.Subject is { } deep)
        {
            // At the bound the subject is not copied, so it must be there already: a referrer is never published
            // pointing at nothing.
            var held = await Task.WhenAll(request.Destinations.Select(d => SubjectAtBoundAsync(d, source, image.Root.ReferenceDigest, deep.Digest, started, cancellationToken)));
            ready = [.. held.Where(h => h.Waiting is null).Select(h => h.Destination)];
            waiting.AddRange(held.Select(h => h.Waiting).OfType<DestinationResult>());
        }

        var results = await CopyAsync(source, (client, image, settings), ready, started, cancellationToken);
        var all = request.Destinations.Select(d => results.FirstOrDefault(r => r.Destination == d) is { } own
            ? WithSubject(own, subjectResult?.Destinations.FirstOrDefault(r => r.Destination == d), started)
            : waiting.First(w => w.Destination == d)).ToList();
        return new ReplicationResult(source, image.Root.ReferenceDigest, all);
    }

    private async Task<DestinationResult[]> CopyAsync(
        ImageReference source, (IEcrClient Client, SourceImage Image, Lazy<Task<SourceRepositorySettings>> Settings) loaded, IReadOnlyList<ReplicationDestination> ready, long started, CancellationToken cancellationToken)
    {
        // The fan-out starts the copies once every destination it counts has arrived, so it counts only those that
        // run: one still waiting for its subject never arrives, and the others' blobs would wait for it forever.
        var blobs = new BlobFanOut(new BlobSource(loaded.Client, source.RegistryId, source.RepositoryName), _copier, _slots, ready.Count, cancellationToken);
        var context = new SourceContext(loaded.Client, source, loaded.Image, loaded.Settings, blobs);
        var results = await Task.WhenAll(ready.Select(
            d => _destinations.ReplicateAsync(context, _destinationClients.GetClient(d, source.RegistryId), d, _observer, cancellationToken)));
        return await RecheckRefusedLayersAsync(loaded.Client, source, loaded.Image.Root.ReferenceDigest, results, started, cancellationToken);
    }

    /// <summary>
    /// <see cref="ReplicationRequest.UntaggedReferrersOnly"/>: an untagged image enters a destination only with what
    /// selects it. A child of an index travels with its index's copy and an image with no subject has nothing else to
    /// select it, so both are skipped; a referrer (an OCI 1.1 signature or SBOM attached by digest) is copied only
    /// where its subject already is, and never copies the subject first, which would bring an unselected image in.
    /// </summary>
    private async Task<ReplicationResult> SelectedReferrerAsync(
        ReplicationRequest request, (IEcrClient Client, SourceImage Image, Lazy<Task<SourceRepositorySettings>> Settings) loaded, long started, CancellationToken cancellationToken)
    {
        var source = request.Source;
        var digest = loaded.Image.Root.ReferenceDigest;
        if (loaded.Image.Root.Subject is not { } subject)
        {
            return Report(new ReplicationResult(source, digest, [.. request.Destinations.Select(d => new DestinationResult(
                d, ReplicationOutcome.Skipped, digest, 0, 0, 0, _time.GetElapsedTime(started), ReplicationErrorCodes.UntaggedNotSelected,
                $"untagged {digest} is not a referrer and the tag filter selects by tag: it is copied only as part of a selected tag's image"))]));
        }

        var held = await Task.WhenAll(request.Destinations.Select(d => SubjectAtBoundAsync(d, source, digest, subject.Digest, started, cancellationToken, selectedOnly: true)));
        var ready = held.Where(h => h.Waiting is null).Select(h => h.Destination).ToArray();
        var results = await CopyAsync(source, loaded, ready, started, cancellationToken);
        var all = request.Destinations.Select(d => results.FirstOrDefault(r => r.Destination == d) ?? held.First(h => h.Destination == d).Waiting!).ToList();
        return new ReplicationResult(source, digest, all);
    }

    /// <summary>
    /// The destinations whose copy failed because the source refused a layer (LayerInaccessibleException: "not associated
    /// with an image", which every layer of a deleted image becomes) are decided by asking the source for the image once
    /// more, once for all of them (they fail together: a layer is downloaded once for every destination). Gone, it was
    /// deleted while it was copied: a stale event, skipped like one found gone before the copy began. Still there, or
    /// when the source cannot say, the failure stands as it was.
    /// </summary>
    private async Task<DestinationResult[]> RecheckRefusedLayersAsync(
        IEcrClient client, ImageReference source, string digest, DestinationResult[] results, long started, CancellationToken cancellationToken)
    {
        if (!results.Any(r => r.SourceLayerRefused))
        {
            return results;
        }

        var gone = false;
        try
        {
            gone = !await _loader.HoldsAsync(client, source, digest, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // The source cannot say (its own failure is in the retry log): the layer's refusal is the result.
        }

        var decided = results.Select(r => !r.SourceLayerRefused ? r
            : gone ? new DestinationResult(
                r.Destination, ReplicationOutcome.Skipped, digest, r.LayersCopied, r.LayersSkipped, r.BytesCopied, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageNotFound,
                $"the source image {source} was deleted while it was copied (its layers became inaccessible); nothing to copy (stale event)")
            : r with { SourceLayerRefused = false }).ToArray();
        foreach (var (before, after) in results.Zip(decided))
        {
            if (before.SourceLayerRefused)
            {
                _observer.DestinationDone(after);
            }
        }

        return decided;
    }

    /// <summary>
    /// The referrer's result with what copying its subject first wrote in the same destination: its bytes and blobs
    /// count, and the destination is Replicated when either write happened (the subject's copy usually brings the
    /// referrer along, which then finds itself UpToDate), so the record's metrics and event show the copy it made.
    /// </summary>
    private DestinationResult WithSubject(DestinationResult own, DestinationResult? subject, long started)
    {
        if (subject is null || !own.Succeeded || subject.Outcome is not (ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate))
        {
            return own;
        }

        var written = own.Outcome == ReplicationOutcome.Replicated || subject.Outcome == ReplicationOutcome.Replicated;
        return own with
        {
            Outcome = written ? ReplicationOutcome.Replicated : own.Outcome,
            LayersCopied = own.LayersCopied + subject.LayersCopied,
            LayersSkipped = own.LayersSkipped + subject.LayersSkipped,
            BytesCopied = own.BytesCopied + subject.BytesCopied,
            Duration = _time.GetElapsedTime(started),
        };
    }

    /// <summary>
    /// At <see cref="MaxSubjectDepth"/>: whether <paramref name="destination"/> already holds the subject (DescribeImages
    /// by digest); when it does not, or cannot say, the referrer's result there (transient: the subject's own push, or
    /// a retry once it is there, publishes the referrer). With <paramref name="selectedOnly"/> an absent subject is a
    /// skip, not a wait: the subject is not selected there, and its selected tag's copy brings the referrer.
    /// </summary>
    private async Task<(ReplicationDestination Destination, DestinationResult? Waiting)> SubjectAtBoundAsync(
        ReplicationDestination destination, ImageReference source, string referrer, string subjectDigest, long started, CancellationToken cancellationToken, bool selectedOnly = false)
    {
        string code;
        string message;
        bool transient;
        try
        {
            var client = _destinationClients.GetClient(destination, source.RegistryId);
            var repository = _mapping.Map(source.RepositoryName);
            // A subject the destination archived is still there for its referrers.
            if (await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, new ImageIdentifier { ImageDigest = subjectDigest }, cancellationToken) is not null)
            {
                return (destination, null);
            }

            if (selectedOnly)
            {
                var skipped = new DestinationResult(
                    destination, ReplicationOutcome.Skipped, referrer, 0, 0, 0, _time.GetElapsedTime(started), ReplicationErrorCodes.SubjectNotHeld,
                    $"untagged referrer {referrer} is copied only where its subject {subjectDigest} is, and {destination} does not hold it; "
                    + "the referrer travels with its subject's selected tag");
                _observer.DestinationDone(skipped);
                return (destination, skipped);
            }

            (code, message, transient) = (ReplicationErrorCodes.SubjectNotReplicated, NotHeld(), true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
        }

        var result = new DestinationResult(destination, ReplicationOutcome.Failed, referrer, 0, 0, 0, _time.GetElapsedTime(started), code, message, transient);
        _observer.DestinationDone(result);
        return (destination, result);

        string NotHeld() =>
            $"referrer {referrer} is {MaxSubjectDepth} subjects up the pushed referrer's chain, past which subjects are not copied first, "
            + $"and its subject {subjectDigest} is not in {destination} yet; it is not published before it (retried until the subject's own push replicates it)";
    }

    /// <summary>
    /// The referrer's result in a destination its subject did not reach: transient when the subject failed there (a
    /// retry copies both), skipped when the source has no such subject (the referrer travels with it once pushed).
    /// </summary>
    private DestinationResult SubjectUnavailable(DestinationResult subject, string referrer, string subjectDigest, long started)
    {
        var result = subject.Outcome == ReplicationOutcome.Failed
            ? new DestinationResult(
                subject.Destination, ReplicationOutcome.Failed, referrer, 0, 0, 0, _time.GetElapsedTime(started), ReplicationErrorCodes.SubjectNotReplicated,
                $"referrer {referrer} waits for its subject {subjectDigest}, which failed: {subject.ErrorCode}: {subject.Message}", subject.Transient)
            : new DestinationResult(
                subject.Destination, ReplicationOutcome.Skipped, referrer, 0, 0, 0, _time.GetElapsedTime(started), ReplicationErrorCodes.SubjectNotFound,
                $"referrer {referrer} names subject {subjectDigest}, which the source does not hold ({subject.Outcome}); it is copied with its subject once that is pushed");
        _observer.DestinationDone(result);
        return result;
    }

    public async Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return AllFailed(request, null, "InvalidRequest", invalid, transient: false, started);
        }

        string? held;
        try
        {
            held = await ImageDeleter.InSourceAsync(_clients.GetClient(request.Source.Region), request.Source, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, request.Source.Tag, cancellationToken);
            return AllFailed(request, request.Source.Digest, code, message, transient, started);
        }

        if (held is not null)
        {
            return Report(new ReplicationResult(request.Source, request.Source.Digest, [.. request.Destinations.Select(d => new DestinationResult(
                d, ReplicationOutcome.Skipped, request.Source.Digest, 0, 0, 0, _time.GetElapsedTime(started),
                ReplicationErrorCodes.SourceImageStillPresent, $"{held}; the delete is not replicated (an event older than a push of the same tag, or not the source's)"))]));
        }

        var results = await Task.WhenAll(request.Destinations.Select(async d =>
        {
            var result = await _deleter.DeleteAsync(_destinationClients.GetClient(d, request.Source.RegistryId), request.Source, d, _time, cancellationToken);
            _observer.DestinationDone(result);
            return result;
        }));
        return new ReplicationResult(request.Source, request.Source.Digest, results);
    }

    private ReplicationResult AllSkipped(ReplicationRequest request, long started) => Report(new ReplicationResult(
        request.Source,
        request.Source.Digest,
        [.. request.Destinations.Select(d => new DestinationResult(
            d, ReplicationOutcome.Skipped, request.Source.Digest, 0, 0, 0, _time.GetElapsedTime(started),
            ReplicationErrorCodes.SourceImageNotFound, $"the source image {request.Source} no longer exists; nothing to copy (stale event)"))]));

    private ReplicationResult AllArchived(ReplicationRequest request, long started) => Report(new ReplicationResult(
        request.Source,
        request.Source.Digest,
        [.. request.Destinations.Select(d => new DestinationResult(
            d, ReplicationOutcome.Archived, request.Source.Digest, 0, 0, 0, _time.GetElapsedTime(started),
            ReplicationErrorCodes.SourceImageArchived, $"the source image {request.Source} is archived and cannot be pulled until it is restored; replicas already made are kept"))]));

    private ReplicationResult AllFailed(ReplicationRequest request, string? digest, string code, string message, bool transient, long started) => Report(new ReplicationResult(
        request.Source,
        digest,
        [.. request.Destinations.Select(d => new DestinationResult(d, ReplicationOutcome.Failed, digest, 0, 0, 0, _time.GetElapsedTime(started), code, message, transient) { AtSource = true })]));

    private ReplicationResult Report(ReplicationResult result)
    {
        foreach (var destination in result.Destinations)
        {
            _observer.DestinationDone(destination);
        }

        return result;
    }
}
