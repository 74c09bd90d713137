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
                    throw ImmutableTagConflict(tag, repository, named, image.Root.ReferenceDigest, null);
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
                registryId = await PutManifestAsync(client, destination, repository, step, cancellationToken) ?? registryId;
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
            var note = ResultNotes.Join(referrersNote, unlistedNote, provisioningNote);
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
            var failed = new DestinationResult(destination, ReplicationOutcome.Failed, image.Root.ReferenceDigest, copied, skipped, bytes, _time.GetElapsedTime(started), code, message, transient)
            {
                SourceLayerRefused = FailureClassifier.IsSourceLayerRefused(ex),
                CredentialsDenied = FailureClassifier.IsCredentialsDenied(ex),
                KeyRefused = FailureClassifier.IsStoredKeyRefused(ex, clients.SignsWithStoredKey(destination, source.Reference.RegistryId)),
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

    /// <summary>Puts one manifest; returns the registry id ECR reported for it (null when the put found it there).</summary>
    private async Task<string?> PutManifestAsync(IEcrClient client, ReplicationDestination destination, string repository, PutImageStep step, CancellationToken cancellationToken)
    {
        var (digest, mediaType, manifest, tag) = (step.Digest, step.MediaType, step.Manifest, step.Tag);

        var request = new PutImageRequest
        {
            RegistryId = destination.RegistryId,
            RepositoryName = repository,
            ImageManifest = manifest,
            ImageManifestMediaType = mediaType,
            ImageTag = tag,

            // The digest the source ECR reported for these bytes (schema 1 included: see Manifest.ReferenceDigest), so
            // the destination ECR computes the same one and refuses the put otherwise.
            ImageDigest = digest,
        };

        // Paced by the client: every attempt, retries included, passes its registry and region's PutImage limiter
        // (RetryingDestinationClients).
        try
        {
            return (await client.PutImageAsync(request, cancellationToken)).Image?.RegistryId;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageAlreadyExistsException)
        {
            // "No changes to the manifest or tag": an earlier attempt or a concurrent copy got there first, or the
            // destination holds the image archived. The state reader counts an archived image as missing, so the plan put
            // it again to restore it; whether ECR restores on a push that carries no tag (an event by digest, a late event
            // whose tag moved on, an index's child, a referrer) or answers this and leaves it archived is not documented
            // (docs/fidelity.md). So its status is read: never "replicated" over an image nobody can pull. Rare (a retry,
            // a race, an archived replica), so the DescribeImages costs nothing on the way of a copy.
            var held = await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, new ImageIdentifier { ImageDigest = digest }, cancellationToken)
                ?? throw new ReplicationException(
                    e.ErrorCode,
                    $"the destination repository {repository} answered that it holds {digest}, but no image ECR describes is that one now (deleted since); a retry puts it again",
                    isTransient: true,
                    e);
            if (held.ImageStatus is { } status && status != ImageStatus.Active)
            {
                throw StillArchived(destination, repository, digest, tag is null ? null : $" (tag '{tag}')", status, "answers the push that would restore it as already there", e);
            }
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageTagAlreadyExistsException && tag is not null)
        {
            // An immutable tag refuses even the manifest it already names
            // (https://github.com/aws/containers-roadmap/issues/2179): a PutImage that landed but timed out,
            // then retried, ends here. Only a tag naming another digest is a conflict.
            var named = await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, new ImageIdentifier { ImageTag = tag }, cancellationToken);
            var existing = named?.ImageDigest;
            if (existing is null)
            {
                // The image the tag named was deleted between the refusal and the describe (a replicated delete, a
                // lifecycle rule): the tag is free now, so a retry puts it. Dead-lettering it as a conflict would
                // name a digest nobody can find.
                throw new ReplicationException(
                    e.ErrorCode,
                    $"tag '{tag}' of the immutable destination repository {repository} was refused as taken, but no image ECR describes holds it now (deleted since); a retry puts {digest} again",
                    isTransient: true,
                    e);
            }

            if (existing != digest)
            {
                throw ImmutableTagConflict(tag, repository, existing, digest, e);
            }

            if (named!.ImageStatus is { } status && status != ImageStatus.Active)
            {
                // The destination archived its replica (its own lifecycle rule, an operator). The tagged push that would
                // have restored it was refused for the immutable tag; a tagless one cannot be, so it is tried. If the
                // image is still not ACTIVE after it, only a restore in the destination can mend it, and a retry would
                // be refused the same way: a permanent failure, not "up to date", which would hide an image nobody can pull.
                var tagless = new PutImageRequest { RegistryId = request.RegistryId, RepositoryName = repository, ImageManifest = manifest, ImageManifestMediaType = mediaType, ImageDigest = digest };
                var after = await StatusAfterTaglessPutAsync(client, tagless, cancellationToken)
                    ?? throw new ReplicationException(
                        e.ErrorCode,
                        $"the archived replica {digest} under the immutable tag '{tag}' of the destination repository {repository} was deleted while it was restored; a retry puts it again",
                        isTransient: true,
                        e);
                if (after != ImageStatus.Active)
                {
                    throw StillArchived(destination, repository, digest, $" under the immutable tag '{tag}'", after, "refuses the push that would restore it", e);
                }
            }
        }

        return null;
    }

    // Named in full: with REPOSITORY_MAPPING the destination repository appears nowhere else in the dead-letter reason,
    // and the two digests are what an operator compares to choose a fix.
    private static ReplicationException ImmutableTagConflict(string tag, string repository, string existing, string digest, Exception? inner) => new(
        ReplicationErrorCodes.ImmutableTagConflict,
        $"tag '{tag}' of the immutable destination repository {repository} names {existing}, not the replicated {digest}; retrying cannot fix this",
        isTransient: false,
        inner);

    /// <summary>
    /// Pushes the manifest again without a tag, which the immutable tag cannot refuse: "re-pushing the image" restores an
    /// archived one (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html). Whether ECR restores on a
    /// push that carries no tag, or answers ImageAlreadyExistsException and leaves it archived, is not documented
    /// (docs/fidelity.md): so the image's status is read again after. Null when the image is gone by then.
    /// </summary>
    private static async Task<string?> StatusAfterTaglessPutAsync(IEcrClient client, PutImageRequest tagless, CancellationToken cancellationToken)
    {
        try
        {
            await client.PutImageAsync(tagless, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageAlreadyExistsException)
        {
        }

        var image = await ImageDescriptions.FindAsync(client, tagless.RegistryId, tagless.RepositoryName!, new ImageIdentifier { ImageDigest = tagless.ImageDigest }, cancellationToken);
        return image is null ? null : image.ImageStatus ?? ImageStatus.Active;
    }

    /// <summary>
    /// A replica that stays archived after the push that should have restored it: only a restore in the destination mends
    /// it, and a retry would meet the same answer, so it is permanent, with the restore as a command to run. One being
    /// restored already (ACTIVATING) becomes ACTIVE on its own
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive_restore_image.html), so it is retried instead:
    /// dead-lettered, it would ask for a restore under way and a redrive by hand.
    /// </summary>
    private static ReplicationException StillArchived(ReplicationDestination destination, string repository, string digest, string? tagged, string status, string answer, EcrException cause) =>
        status == ImageStatus.Activating
            ? new(
                ReplicationErrorCodes.ReplicaActivating,
                $"the replica {digest}{tagged} of the destination repository {repository} is being restored there (ACTIVATING), and ECR {answer}; retried until the restore ends",
                isTransient: true,
                cause)
            : new(
                ReplicationErrorCodes.ReplicaArchived,
                $"the replica {digest}{tagged} of the destination repository {repository} is {status} there, and ECR {answer}; restore it in the destination ({RestoreCommand(destination, repository, digest)}), then redrive this message",
                isTransient: false,
                cause);

    private sealed class ObserverProgress(IReplicationObserver observer, ReplicationDestination destination, string digest) : IProgress<long>
    {
        public void Report(long value) => observer.BytesCopied(destination, digest, value);
    }

    /// <summary>
    /// The AWS CLI command that restores an archived image, complete (the operation requires the repository and the
    /// image: botocore ECR model, UpdateImageStorageClassRequest), so the reason can be run as read.
    /// </summary>
    private static string RestoreCommand(ReplicationDestination destination, string repository, string digest) =>
        $"aws ecr update-image-storage-class --region {destination.Region}"
        + (destination.RegistryId is { } account ? $" --registry-id {account}" : string.Empty)
        + $" --repository-name {repository} --image-id imageDigest={digest} --target-storage-class STANDARD";
}
