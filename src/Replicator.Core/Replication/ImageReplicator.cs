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
/// instance serves concurrent requests and shares its layer slots, in-flight copies and PutImage rate limiters.
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
    private readonly ReferrerSubjects _subjects;
    private readonly IReplicationObserver _observer;
    private readonly TimeProvider _time;
    private readonly TimeSpan _fanOutGrace;
    private readonly SourceSignatureWait _signatures;

    public ImageReplicator(IEcrClientProvider clients, HttpClient downloads, ReplicatorOptions options, TimeProvider? time = null, IReplicationObserver? observer = null, Func<double>? random = null, IDestinationClients? destinationClients = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxParallelLayers, 1);
        ArgumentNullException.ThrowIfNull(options.Retry);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Retry.MaxRetries);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Retry.MaxLayerRestarts);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Retry.MaxDownloadResumes);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SignatureWait, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
        _signatures = new SourceSignatureWait(options.SignatureWait, _time);
        _observer = observer ?? NullReplicationObserver.Instance;

        // Every ECR call of the engine goes through the one retry policy, as a decorator; nothing below retries a
        // call. Without routing, every destination is a region of the source account, written with the same
        // credentials.
        var unitRandom = random ?? Random.Shared.NextDouble;
        var calls = new EcrCallRunner(options.Retry, _time, unitRandom, _observer.Retrying);
        _clients = new RetryingEcrClientProvider(clients, calls);
        _destinationClients = new RetryingDestinationClients(destinationClients ?? new SourceCredentialsDestinationClients(clients), calls, options.PutImageRatePerSecond, _time);
        _loader = new SourceImageLoader();
        _provisioner = new RepositoryProvisioner(options.KmsKeyIds);
        _destinations = new DestinationReplicator(_provisioner, options, _time);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlobCopy.PartsInFlight, 1);
        if (options.BlobCopy.FanOutGrace < TimeSpan.Zero && options.BlobCopy.FanOutGrace != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BlobCopy.FanOutGrace, "BlobCopy.FanOutGrace must be zero or more, or Timeout.InfiniteTimeSpan");
        }

        if (options.BlobCopy.FallBehindTimeout <= TimeSpan.Zero && options.BlobCopy.FallBehindTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BlobCopy.FallBehindTimeout, "BlobCopy.FallBehindTimeout must be more than zero, or Timeout.InfiniteTimeSpan");
        }

        _fanOutGrace = options.BlobCopy.FanOutGrace;
        Parts = new SharedPartPool(options.MaxParallelLayers * (options.BlobCopy.PartsInFlight + 1));
        // Download resumes wait by the same rule, clock and random source as the ECR calls.
        _copier = new BlobCopier(downloads, options.BlobCopy, options.Retry, new RetryBackoff(options.Retry, _time, unitRandom), Parts);
        _slots = new CopySlots(options.MaxParallelLayers);
        _deleter = new ImageDeleter(options.RepositoryMapping, options.TagFilter, _clients, _destinationClients, _observer, _time);
        _subjects = new ReferrerSubjects(_destinationClients, options.RepositoryMapping, _observer, _time);
    }

    /// <summary>The part buffers of every copy of this engine (their count bounds its memory; tests read its counters).</summary>
    internal SharedPartPool Parts { get; }

    /// <summary>The source clients the engine reads with, each call through its one retry policy (the reconciler reads through them too).</summary>
    public IEcrClientProvider Clients => _clients;

    /// <summary>The destinations' clients, through the same retry policy.</summary>
    public IDestinationClients DestinationClients => _destinationClients;

    /// <inheritdoc cref="ReferrerSubjects.MaxSubjectDepth"/>
    public const int MaxSubjectDepth = ReferrerSubjects.MaxSubjectDepth;

    public Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        ReplicateAsync(request, 0, cancellationToken);

    private async Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, int depth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return AllFailed(request, null, ReplicationErrorCodes.InvalidRequest, invalid, transient: false, started);
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
                loaded = await _loader.LoadAsync(client, source, request.UntaggedReferrersOnly ? null : _signatures, cancellationToken);
            }
            catch (ReplicationException e) when (e.ErrorCode == ReplicationErrorCodes.SourceImageArchived)
            {
                // A manifest below the image (an index's child) is archived: the image cannot be pulled whole until it
                // is restored, as an archived image cannot; not retried, never dead-lettered.
                var archived = ReplicationResults.AllArchived(request, _time.GetElapsedTime(started));
                return Report(archived with { Destinations = [.. archived.Destinations.Select(d => d with { Message = e.Message })] });
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
                        return Report(ReplicationResults.AllArchived(request, _time.GetElapsedTime(started)));
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

                return inaccessible is null ? Report(ReplicationResults.AllSkipped(request, _time.GetElapsedTime(started))) : throw inaccessible;
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
            // Only where the subject is missing: a destination that holds it (usual, the subject's own push came first)
            // takes the referrer at once, for one DescribeImages instead of the subject's whole copy; and one that holds
            // it archived keeps it so (still there for its referrers), where a copy would push it again.
            var held = await Task.WhenAll(request.Destinations.Select(d => _subjects.HoldsAsync(d, source, subject.Digest, cancellationToken)));
            var lacking = request.Destinations.Where((_, i) => !held[i]).ToList();
            ready = [.. request.Destinations.Where((_, i) => held[i])];
            if (lacking.Count > 0)
            {
                var subjectRequest = new ReplicationRequest(source with { Digest = subject.Digest, Tag = null }, lacking);
                subjectResult = await ReplicateAsync(subjectRequest, depth + 1, cancellationToken);
                ready = [.. ready, .. subjectResult.Destinations.Where(d => d.Outcome is ReplicationOutcome.Replicated or ReplicationOutcome.UpToDate).Select(d => d.Destination)];
            }

            // An archived subject cannot be copied first, but a destination that already holds it (replicated before the
            // archive) takes the referrer as it would any other: only where it is absent does the referrer wait for it.
            var subjectDestinations = subjectResult?.Destinations ?? [];
            var archived = await Task.WhenAll(subjectDestinations.Where(d => d.Outcome == ReplicationOutcome.Archived)
                .Select(d => _subjects.SubjectAtBoundAsync(d.Destination, source, image.Root.ReferenceDigest, subject.Digest, started, cancellationToken, subjectArchived: true)));
            ready = [.. ready, .. archived.Where(a => a.Waiting is null).Select(a => a.Destination)];
            waiting.AddRange(archived.Select(a => a.Waiting).OfType<DestinationResult>());
            waiting.AddRange(subjectDestinations.Where(d => d.Outcome != ReplicationOutcome.Archived && !ready.Contains(d.Destination))
                .Select(d => _subjects.SubjectUnavailable(d, image.Root.ReferenceDigest, subject.Digest, started)));
        }
        else if (image.Root.Subject is { } deep)
        {
            // At the bound the subject is not copied, so it must be there already: a referrer is never published
            // pointing at nothing.
            var held = await Task.WhenAll(request.Destinations.Select(d => _subjects.SubjectAtBoundAsync(d, source, image.Root.ReferenceDigest, deep.Digest, started, cancellationToken)));
            ready = [.. held.Where(h => h.Waiting is null).Select(h => h.Destination)];
            waiting.AddRange(held.Select(h => h.Waiting).OfType<DestinationResult>());
        }

        var results = await CopyAsync(source, (client, image, settings), ready, started, cancellationToken);
        var all = request.Destinations.Select(d => results.FirstOrDefault(r => r.Destination == d) is { } own
            ? _subjects.WithSubject(own, subjectResult?.Destinations.FirstOrDefault(r => r.Destination == d), started)
            : waiting.First(w => w.Destination == d)).ToList();
        return new ReplicationResult(source, image.Root.ReferenceDigest, all);
    }

    private async Task<DestinationResult[]> CopyAsync(
        ImageReference source, (IEcrClient Client, SourceImage Image, Lazy<Task<SourceRepositorySettings>> Settings) loaded, IReadOnlyList<ReplicationDestination> ready, long started, CancellationToken cancellationToken)
    {
        // The fan-out starts the copies once every destination it counts has arrived (or its grace after the first),
        // so it counts only those that run: one still waiting for its subject never arrives, and the others' blobs
        // would wait for it until the grace ends. Each destination's client is resolved inside its own run, so a
        // destination whose credentials cannot be had fails alone and still arrives.
        var blobs = new BlobFanOut(new BlobSource(loaded.Client, source.RegistryId, source.RepositoryName), _copier, _slots, ready.Count, _time, _fanOutGrace, cancellationToken);
        var context = new SourceContext(loaded.Client, source, loaded.Image, loaded.Settings, blobs);
        var results = await Task.WhenAll(ready.Select(
            d => _destinations.ReplicateAsync(context, _destinationClients, d, _observer, cancellationToken)));
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
            return Report(new ReplicationResult(source, digest, [.. request.Destinations.Select(d => ReplicationResults.Skipped(
                d, digest, _time.GetElapsedTime(started), ReplicationErrorCodes.UntaggedNotSelected,
                $"untagged {digest} is not a referrer and the tag filter selects by tag: it is copied only as part of a selected tag's image"))]));
        }

        var held = await Task.WhenAll(request.Destinations.Select(d => _subjects.SubjectAtBoundAsync(d, source, digest, subject.Digest, started, cancellationToken, selectedOnly: true)));
        var ready = held.Where(h => h.Waiting is null).Select(h => h.Destination).ToArray();
        var results = await CopyAsync(source, loaded, ready, started, cancellationToken);
        var all = request.Destinations.Select(d => results.FirstOrDefault(r => r.Destination == d) ?? held.First(h => h.Destination == d).Waiting!).ToList();
        return new ReplicationResult(source, digest, all);
    }

    /// <summary>
    /// The destinations whose copy failed because the source refused a layer (LayerInaccessibleException: "not associated
    /// with an image", which every layer of a deleted image becomes) are decided by asking the source for the image once
    /// more, once for all of them (they fail together: a layer is downloaded once for every destination). Gone, it was
    /// deleted while it was copied: a stale event, skipped like one found gone before the copy began; or archived while
    /// it was copied (its layers cannot be pulled either: https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html),
    /// decided as an image found archived (or being restored) before the copy began. Still there, or when the source
    /// cannot say, the failure stands as it was.
    /// </summary>
    private async Task<DestinationResult[]> RecheckRefusedLayersAsync(
        IEcrClient client, ImageReference source, string digest, DestinationResult[] results, long started, CancellationToken cancellationToken)
    {
        if (!results.Any(r => r.SourceLayerRefused))
        {
            return results;
        }

        var gone = false;
        string? status = null;
        try
        {
            try
            {
                gone = !await SourceManifests.HoldsAsync(client, source, digest, cancellationToken);
            }
            catch (ReplicationException e) when (e.ErrorCode == ImageFailureCode.ImageInaccessible)
            {
                // Not served, and not "not found": archived or being restored (should BatchGetImage answer an archived
                // image so), decided as the load decides it; an image still ACTIVE keeps the layer's refusal, never
                // read as deleted.
                status = await _loader.UnservedStatusAsync(client, source with { Digest = digest }, cancellationToken);
                gone = status is ImageStatus.Archived or ImageStatus.Activating;
            }

            if (gone && status is null)
            {
                status = await _loader.UnservedStatusAsync(client, source with { Digest = digest }, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // The source cannot say (its own failure is in the retry log): what it said so far decides, else the
            // layer's refusal is the result.
        }

        DestinationResult Decide(DestinationResult r) => status switch
        {
            ImageStatus.Archived => new DestinationResult(
                r.Destination, ReplicationOutcome.Archived, digest, r.LayersCopied, r.LayersSkipped, r.BytesCopied, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageArchived,
                $"the source image {source} was archived while it was copied and cannot be pulled until it is restored; replicas already made are kept"),
            ImageStatus.Activating => new DestinationResult(
                r.Destination, ReplicationOutcome.Failed, digest, r.LayersCopied, r.LayersSkipped, r.BytesCopied, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageActivating,
                $"the source image {source} was archived while it was copied and is being restored (imageStatus ACTIVATING); retried until it is ACTIVE", true),
            _ => new DestinationResult(
                r.Destination, ReplicationOutcome.Skipped, digest, r.LayersCopied, r.LayersSkipped, r.BytesCopied, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageNotFound,
                $"the source image {source} was deleted while it was copied (its layers became inaccessible); nothing to copy (stale event)"),
        };

        var decided = results.Select(r => !r.SourceLayerRefused ? r : gone ? Decide(r) : r with { SourceLayerRefused = false }).ToArray();
        foreach (var (before, after) in results.Zip(decided))
        {
            if (before.SourceLayerRefused)
            {
                _observer.DestinationDone(after);
            }
        }

        return decided;
    }

    public Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _deleter.DeleteAsync(request, cancellationToken);
    }

    private ReplicationResult AllFailed(ReplicationRequest request, string? digest, string code, string message, bool transient, long started) =>
        Report(ReplicationResults.AllFailed(request, digest, code, message, transient, _time.GetElapsedTime(started)));

    private ReplicationResult Report(ReplicationResult result) => ReplicationResults.Report(result, _observer);
}
