using System.Collections.Concurrent;
using System.Diagnostics;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// Brings one destination up to date with a loaded source image: read its state, plan, then run the plan —
/// repository, blobs (deduplicated, bounded concurrency), manifests strictly in order, the tag last.
/// </summary>
internal sealed class DestinationReplicator
{
    private readonly EcrCallRunner _calls;
    private readonly DestinationStateReader _reader;
    private readonly RepositoryProvisioner _provisioner;
    private readonly BlobCopier _copier;
    private readonly SemaphoreSlim _layerSlots;
    private readonly InFlightCopies<(string Region, string? Registry, string Repository, string Digest)> _inFlight = new();
    private readonly ConcurrentDictionary<string, RequestPacer> _putImagePacers = new(StringComparer.Ordinal);
    private readonly ReplicatorOptions _options;
    private readonly TimeProvider _time;

    public DestinationReplicator(EcrCallRunner calls, RepositoryProvisioner provisioner, BlobCopier copier, ReplicatorOptions options, TimeProvider time)
    {
        _calls = calls;
        _reader = new DestinationStateReader(calls);
        _provisioner = provisioner;
        _copier = copier;
        _options = options;
        _time = time;
        _layerSlots = new SemaphoreSlim(options.MaxParallelLayers, options.MaxParallelLayers);
    }

    public async Task<DestinationResult> ReplicateAsync(SourceContext source, IEcrClient client, ReplicationDestination destination, IReplicationObserver observer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var repository = source.Reference.RepositoryName;
        var image = source.Image;
        var copied = 0;
        var skipped = 0;
        long bytes = 0;
        try
        {
            var state = await _reader.ReadAsync(client, destination.RegistryId, repository, image, cancellationToken);
            var plan = ReplicationPlanner.Plan(image, state);
            skipped = plan.BlobsSkipped;
            observer.PlanReady(destination, image.Root.ReferenceDigest, plan.Blobs.Count, plan.BytesToCopy);

            if (plan.CreateRepository is not null)
            {
                var settings = await source.RepositorySettings.Value;
                await _provisioner.CreateAsync(client, destination.Region, destination.RegistryId, repository, settings, cancellationToken);
            }

            var route = new BlobRoute(source.Client, source.Reference.RegistryId, repository, client, destination.RegistryId, repository);
            var blobs = await ResolveUnknownSizesAsync(source, plan.Blobs, cancellationToken);
            var outcomes = await Task.WhenAll(blobs.Select(blob => CopyBlobAsync(route, destination, blob, observer, cancellationToken)));
            foreach (var (blobBytes, joined) in outcomes)
            {
                // A blob another request was already copying counts as skipped here: its bytes are that request's.
                if (joined)
                {
                    skipped++;
                }
                else
                {
                    copied++;
                    bytes += blobBytes;
                }
            }

            foreach (var step in plan.Manifests)
            {
                await PutManifestAsync(client, destination, repository, step, cancellationToken);
            }

            var outcome = plan.IsEmpty ? ReplicationOutcome.UpToDate : ReplicationOutcome.Replicated;
            return Done(new DestinationResult(destination, outcome, image.Root.ReferenceDigest, copied, skipped, bytes, _time.GetElapsedTime(started)) { CompletedAt = _time.GetUtcNow() });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, image.Tag, cancellationToken);
            return Done(new DestinationResult(destination, ReplicationOutcome.Failed, image.Root.ReferenceDigest, copied, skipped, bytes, _time.GetElapsedTime(started), code, message, transient));
        }

        DestinationResult Done(DestinationResult result)
        {
            observer.DestinationDone(result);
            return result;
        }
    }

    private async Task<(long Bytes, bool Joined)> CopyBlobAsync(BlobRoute route, ReplicationDestination destination, BlobToCopy blob, IReplicationObserver observer, CancellationToken cancellationToken)
    {
        var progress = new ObserverProgress(observer, destination, blob.Digest);
        return await _inFlight.RunAsync(
            (destination.Region, destination.RegistryId, route.DestinationRepository, blob.Digest),
            async () =>
            {
                await _layerSlots.WaitAsync(cancellationToken);
                try
                {
                    return await _copier.CopyAsync(route, blob, progress, cancellationToken);
                }
                finally
                {
                    _layerSlots.Release();
                }
            });
    }

    /// <summary>Schema 1 descriptors carry no size: the source's BatchCheckLayerAvailability knows it.</summary>
    private async Task<IReadOnlyList<BlobToCopy>> ResolveUnknownSizesAsync(SourceContext source, IReadOnlyList<CopyBlobStep> steps, CancellationToken cancellationToken)
    {
        var unknown = steps.Where(s => s.Size < 0).Select(s => s.Digest).ToList();
        var sizes = unknown.Count == 0
            ? []
            : await _reader.LayerSizesAsync(source.Client, source.Reference.RegistryId, source.Reference.RepositoryName, unknown, cancellationToken);
        return [.. steps.Select(s => new BlobToCopy(s.Digest, s.Size >= 0 ? s.Size : SourceSize(s.Digest), s.Data?.ToArray()))];

        long SourceSize(string digest) => sizes.TryGetValue(digest, out var size) && size >= 0
            ? size
            : throw new ReplicationException(ReplicationErrorCodes.SourceImageNotFound, $"layer {digest} is not available in the source repository", isTransient: false);
    }

    private async Task PutManifestAsync(IEcrClient client, ReplicationDestination destination, string repository, PlanStep step, CancellationToken cancellationToken)
    {
        var (digest, mediaType, manifest, tag) = step switch
        {
            PutManifestStep m => (m.Digest, m.MediaType, m.Manifest, m.Tag),
            PutTagStep t => (t.Digest, t.MediaType, t.Manifest, (string?)t.Tag),
            _ => throw new UnreachableException($"unexpected plan step {step.GetType().Name}"),
        };

        var request = new PutImageRequest
        {
            RegistryId = destination.RegistryId,
            RepositoryName = repository,
            ImageManifest = manifest,
            ImageManifestMediaType = mediaType,
            ImageTag = tag,

            // Schema 1 digests are taken over the JWS payload, not the bytes sent; let ECR compute them.
            ImageDigest = MediaTypes.IsSchema1(mediaType) ? null : digest,
        };

        var pacer = _putImagePacers.GetOrAdd(destination.Region, static (_, self) => new RequestPacer(self._options.PutImageRatePerSecond, self._time), this);
        await pacer.WaitAsync(cancellationToken);
        try
        {
            await _calls.RunAsync("PutImage", (client, request), static (s, ct) => s.client.PutImageAsync(s.request, ct), cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageAlreadyExistsException)
        {
            // "No changes to the manifest or tag": an earlier attempt or a concurrent copy got there first.
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageTagAlreadyExistsException && tag is not null)
        {
            // An immutable tag refuses even the manifest it already names
            // (https://github.com/aws/containers-roadmap/issues/2179): a PutImage that landed but timed out,
            // then retried, ends here. Only a tag naming another digest is a conflict.
            if (await TagDigestAsync(client, destination.RegistryId, repository, tag, cancellationToken) != digest)
            {
                throw;
            }
        }
    }

    /// <summary>The digest <paramref name="tag"/> names in the destination, or null when it names none.</summary>
    private async Task<string?> TagDigestAsync(IEcrClient client, string? registryId, string repository, string tag, CancellationToken cancellationToken)
    {
        try
        {
            var described = await _calls.RunAsync(
                "DescribeImages",
                (client, registryId, repository, tag),
                static (s, ct) => s.client.DescribeImagesAsync(
                    new DescribeImagesRequest { RegistryId = s.registryId, RepositoryName = s.repository, ImageIds = [new ImageIdentifier { ImageTag = s.tag }] }, ct),
                cancellationToken);
            return described.ImageDetails?.FirstOrDefault()?.ImageDigest;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageNotFoundException)
        {
            return null;
        }
    }

    private sealed class ObserverProgress(IReplicationObserver observer, ReplicationDestination destination, string digest) : IProgress<long>
    {
        public void Report(long value) => observer.BytesCopied(destination, digest, value);
    }
}
