using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Brings one destination up to date with a loaded source image: read its state, plan, then run the plan —
/// repository, blobs (deduplicated, bounded concurrency), manifests strictly in order, the tag last.
/// </summary>
internal sealed class DestinationReplicator
{
    private readonly DestinationStateReader _reader;
    private readonly RepositoryProvisioner _provisioner;
    private readonly ImmutableTagCheck _immutableTags = new();
    private readonly InFlightCopies<(string Region, string? Registry, string Repository, string Digest)> _inFlight = new();
    private readonly ReplicatorOptions _options;
    private readonly TimeProvider _time;

    public DestinationReplicator(RepositoryProvisioner provisioner, ReplicatorOptions options, TimeProvider time)
    {
        _reader = new DestinationStateReader();
        _provisioner = provisioner;
        _options = options;
        _time = time;
    }

    /// <param name="clients">The destination's client is taken from these inside the run, so that a destination whose
    /// client cannot be made fails on its own and still arrives at the fan-out the other destinations wait on.</param>
    public async Task<DestinationResult> ReplicateAsync(SourceContext source, IDestinationClients clients, ReplicationDestination destination, IReplicationObserver observer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var image = source.Image;
        var copied = 0;
        var skipped = 0;
        long bytes = 0;
        var arrived = false;
        List<Task<(long Bytes, bool Joined)>>? copies = null;

        // The referrers put so far, in order: a put that fails later (another referrer, a tag) leaves these in the
        // destination, and a retry's plan no longer holds them, so the failed result names them for their announcement.
        var referrersPut = new List<string>();
        try
        {
            // REPOSITORY_MAPPING: the destination's name; an invalid mapped name fails this destination for good.
            var repository = _options.RepositoryMapping.Map(source.Reference.RepositoryName);
            var client = clients.GetClient(destination, source.Reference.RegistryId);
            var withSourceCredentials = clients.WritesWithSourceCredentials(destination, source.Reference.RegistryId);
            var state = await _reader.ReadAsync(client, destination.RegistryId, repository, image, cancellationToken);
            var plan = ReplicationPlanner.Plan(image, state);
            skipped = plan.BlobsSkipped;
            observer.PlanReady(destination, image.Root.ReferenceDigest, plan.Blobs.Count, plan.BytesToCopy);

            // A tag the existing repository keeps immutable at another digest refuses the last PutImage: said now,
            // before any blob or child manifest is uploaded for nothing (and left untagged in the destination). Only a
            // tag the copy applies: a late event's (ApplyTag false, the source's tag names another digest now) copies
            // the digest untagged, which no immutable tag refuses.
            string? repositoryArn = null;
            if (!plan.IsEmpty && plan.CreateRepository is null && image.ApplyTag && image.Tag is { } tag && state.TagDigest != image.Root.ReferenceDigest)
            {
                (var named, repositoryArn) = await _immutableTags.ConflictAsync(client, destination, repository, tag, image.Root.ReferenceDigest, cancellationToken);
                if (named is not null)
                {
                    throw ImmutableTagCheck.Conflict(tag, repository, named, image.Root.ReferenceDigest, null);
                }
            }

            // A repository that exists may be one whose creation was cut short (RepositoryProvisioner's remarks): before
            // anything is written into it, its settings are completed. Not on a plan with nothing to write, so a repeat
            // costs no call more.
            var (created, provisioningNote) = plan.CreateRepository is not null
                ? await _provisioner.CreateAsync(client, destination, withSourceCredentials, repository, await source.RepositorySettings.Value, cancellationToken)
                : (false, null);
            if (created && (await source.RepositorySettings.Value).Repository.ImageTagMutability is null or ImageTagMutability.Mutable)
            {
                _immutableTags.RememberMutable(destination, repository);
            }
            else if (!created && !plan.IsEmpty)
            {
                provisioningNote = await _provisioner.CompleteAsync(client, destination, withSourceCredentials, repository, source.RepositorySettings, repositoryArn, cancellationToken);
            }

            var target = new BlobTarget(client, destination.RegistryId, repository);
            var blobs = ToCopy(plan.Blobs);

            // Every blob is registered with the request's fan-out before this destination arrives: each is then
            // downloaded once for all the destinations that need it.
            copies = blobs.Select(blob => CopyBlobAsync(source.Blobs, target, destination, blob, observer, cancellationToken)).ToList();
            arrived = true;
            source.Blobs.Arrive();
            await Task.WhenAll(copies);
            TallyBlobs();

            var registryId = state.RegistryId;
            var referrers = image.Referrers.Select(r => r.ReferenceDigest).ToHashSet(StringComparer.Ordinal);
            foreach (var step in plan.Manifests)
            {
                registryId = await ManifestPublisher.PutAsync(client, destination, repository, step, cancellationToken) ?? registryId;
                if (!step.TagOnly && referrers.Contains(step.Digest))
                {
                    referrersPut.Add(step.Digest);
                }
            }

            var outcome = plan.IsEmpty ? ReplicationOutcome.UpToDate : ReplicationOutcome.Replicated;
            var referrersNote = image.ReferrersLeftBehind > 0
                ? $"{image.ReferrersLeftBehind} or more referrers beyond the first {SourceReferrerWalk.MaxReferrers} (or more than {ManifestWalker.MaxReferrerChain} links down a chain of referrers) left to their own push events and the reconciler"
                : null;
            var unlistedNote = image.ReferrersUnlisted is { } unlisted
                ? $"{unlisted}, so the image was copied without them: they are left to their own push events and the reconciler"
                : null;
            var note = ResultNotes.Join(referrersNote, unlistedNote, image.SigningNote, provisioningNote);
            return Done(new DestinationResult(destination, outcome, image.Root.ReferenceDigest, copied, skipped, bytes, _time.GetElapsedTime(started), Message: note)
            {
                CompletedAt = _time.GetUtcNow(),
                RegistryId = registryId,
                NonDistributableSkipped = plan.NonDistributableSkipped,
                Tag = plan.Tag,
                ReferrersPut = referrersPut,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            // Task.WhenAll faults only once every copy has ended: the blobs that got through were uploaded all the
            // same, and the Failed line's bytes and layers count them (a failed try's bytes are bytes sent).
            TallyBlobs();
            var (code, message, transient) = FailureClassifier.Classify(ex, image.Tag, cancellationToken);
            var keyRefused = FailureClassifier.IsStoredKeyRefused(ex, clients.SignsWithStoredKey(destination, source.Reference.RegistryId));
            message = RefusedKeyMessage.Describe(message, keyRefused, clients, destination, source.Reference.RegistryId);

            var failed = new DestinationResult(destination, ReplicationOutcome.Failed, image.Root.ReferenceDigest, copied, skipped, bytes, _time.GetElapsedTime(started), code, message, transient)
            {
                SourceLayerRefused = FailureClassifier.IsSourceLayerRefused(ex),
                CredentialsDenied = FailureClassifier.IsCredentialsDenied(ex),
                KeyRefused = keyRefused,
                KmsAccessDenied = FailureClassifier.IsKmsAccessDenied(ex),
                ReferrersPut = referrersPut,
            };

            // A refused source layer may mean the image was deleted mid-copy: the engine reports it once it has asked.
            return failed.SourceLayerRefused ? failed : Done(failed);
        }
        finally
        {
            if (!arrived)
            {
                // Failed (or cancelled) before copying: the other destinations' blobs must not wait for this one.
                source.Blobs.Arrive();
            }
        }

        void TallyBlobs()
        {
            foreach (var copy in copies ?? [])
            {
                if (!copy.IsCompletedSuccessfully)
                {
                    continue;
                }

                // A blob another request was already copying counts as skipped here: its bytes are that request's.
                var (blobBytes, joined) = copy.Result;
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

            // Counted once: a manifest put that fails after the blobs must not count them again.
            copies = null;
        }

        DestinationResult Done(DestinationResult result)
        {
            observer.DestinationDone(result);
            return result;
        }
    }

    /// <summary>
    /// Registers the blob with the fan-out, unless another request of this engine is already copying it to the
    /// same destination: then this one joins that copy. Registration happens before the first await.
    /// </summary>
    private Task<(long Bytes, bool Joined)> CopyBlobAsync(BlobFanOut blobs, BlobTarget target, ReplicationDestination destination, BlobToCopy blob, IReplicationObserver observer, CancellationToken cancellationToken)
    {
        var progress = new ObserverProgress(observer, destination, blob.Digest);
        return _inFlight.RunAsync(
            (destination.Region, destination.RegistryId, target.Repository, blob.Digest),
            () => blobs.Add(target, blob, progress),
            cancellationToken);
    }

    /// <summary>
    /// The plan's blobs as the copier takes them. A size still unknown here is a schema 1 layer the source did not
    /// report when the image was loaded (<see cref="SourceImage.BlobSizes"/>): the source does not hold it.
    /// </summary>
    private static IReadOnlyList<BlobToCopy> ToCopy(IReadOnlyList<CopyBlobStep> steps) =>
        [.. steps.Select(s => s.Size >= 0
            ? new BlobToCopy(s.Digest, s.Size, s.Data?.ToArray())
            : throw new ReplicationException(ReplicationErrorCodes.SourceImageNotFound, $"layer {s.Digest} is not available in the source repository", isTransient: false))];

    private sealed class ObserverProgress(IReplicationObserver observer, ReplicationDestination destination, string digest) : IProgress<long>
    {
        public void Report(long value) => observer.BytesCopied(destination, digest, value);
    }
}
