using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Planning;

namespace Replicator.Core.Replication;

/// <summary>
/// Runs one manifest step of a plan (<see cref="DestinationReplicator"/>): PutImage with the source's digest, and the
/// answers that do not mean failure read for what they do mean: a manifest already there (a retry, a race, or an archived
/// replica that must not pass for replicated) and an immutable tag that already names this very manifest.
/// </summary>
internal static class ManifestPublisher
{
    /// <summary>Puts one manifest; returns the registry id ECR reported for it (null when the put found it there).</summary>
    public static async Task<string?> PutAsync(IEcrClient client, ReplicationDestination destination, string repository, PutImageStep step, CancellationToken cancellationToken)
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
                throw ImmutableTagCheck.Conflict(tag, repository, existing, digest, e);
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

    /// <summary>
    /// The AWS CLI command that restores an archived image, complete (the operation requires the repository and the
    /// image: botocore ECR model, UpdateImageStorageClassRequest), so the reason can be run as read.
    /// </summary>
    private static string RestoreCommand(ReplicationDestination destination, string repository, string digest) =>
        $"aws ecr update-image-storage-class --region {destination.Region}"
        + (destination.RegistryId is { } account ? $" --registry-id {account}" : string.Empty)
        + $" --repository-name {repository} --image-id imageDigest={digest} --target-storage-class STANDARD";
}
