using System.Text.RegularExpressions;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>
/// Replicates a deletion: removes the tag (only while it still points at the deleted digest, so a late delete
/// never removes a newer push) or the digest from each destination on its own. Absent images are skipped, not failed.
/// Nothing is deleted while the source still holds what the event names (<see cref="InSourceAsync"/>).
/// </summary>
internal sealed class ImageDeleter
{
    private readonly RepositoryMapping _mapping;
    private readonly Regex? _tagFilter;
    private readonly IEcrClientProvider _sourceClients;
    private readonly IDestinationClients _destinationClients;
    private readonly IReplicationObserver _observer;
    private readonly TimeProvider _time;

    public ImageDeleter(RepositoryMapping mapping, Regex? tagFilter, IEcrClientProvider sourceClients, IDestinationClients destinationClients, IReplicationObserver observer, TimeProvider time)
    {
        _mapping = mapping;
        _tagFilter = tagFilter;
        _sourceClients = sourceClients;
        _destinationClients = destinationClients;
        _observer = observer;
        _time = time;
    }

    /// <summary>The delete <paramref name="request"/> names, in every destination, unless the source still holds it.</summary>
    public async Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        if (RequestValidator.Validate(request) is { } invalid)
        {
            return ReplicationResults.Report(
                ReplicationResults.AllFailed(request, null, ReplicationErrorCodes.InvalidRequest, invalid, transient: false, _time.GetElapsedTime(started)), _observer);
        }

        string? held;
        try
        {
            held = await InSourceAsync(_sourceClients.GetClient(request.Source.Region), request.Source, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, request.Source.Tag, cancellationToken);
            return ReplicationResults.Report(ReplicationResults.AllFailed(request, request.Source.Digest, code, message, transient, _time.GetElapsedTime(started)), _observer);
        }

        if (held is not null)
        {
            return ReplicationResults.Report(
                new ReplicationResult(request.Source, request.Source.Digest, [.. request.Destinations.Select(d => ReplicationResults.Skipped(
                    d, request.Source.Digest, _time.GetElapsedTime(started), ReplicationErrorCodes.SourceImageStillPresent,
                    $"{held}; the delete is not replicated (an event older than a push of the same tag, or not the source's)"))]),
                _observer);
        }

        var results = await Task.WhenAll(request.Destinations.Select(async d =>
        {
            var result = await DeleteFromAsync(request.Source, d, cancellationToken);
            _observer.DestinationDone(result);
            return result;
        }));
        return new ReplicationResult(request.Source, request.Source.Digest, results);
    }

    /// <summary>
    /// The destination's client is made inside the try, as a copy's is (DestinationReplicator): a destination whose
    /// client cannot be made (its credentials cannot be had) fails alone, and the others' results are still reported.
    /// </summary>
    private async Task<DestinationResult> DeleteFromAsync(ImageReference source, ReplicationDestination destination, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        try
        {
            var client = _destinationClients.GetClient(destination, source.RegistryId);
            var repository = _mapping.Map(source.RepositoryName);
            var id = source.Tag is not null ? new ImageIdentifier { ImageTag = source.Tag } : new ImageIdentifier { ImageDigest = source.Digest };

            // One DescribeImages, before the delete: where the tag points (a tag is deleted only while it points at the
            // deleted digest), and whether the image is an index, whose platform manifests the cascade below needs.
            var described = await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, id, cancellationToken);
            if (source.Tag is not null && source.Digest is not null && described?.ImageDigest is var current && current != source.Digest)
            {
                var why = current is null ? "is not in the destination" : $"points at {current} in the destination, not at the deleted {source.Digest}";
                return Result(ReplicationOutcome.Skipped, $"tag '{source.Tag}' {why}; left alone");
            }

            // An index's manifest is read (BatchGetImage) only once DescribeImages says it is one: BatchGetImage is a pull,
            // which refreshes lastRecordedPullTime of an image that may stay (a tag removed from an image with others, a
            // refused platform manifest).
            var children = described is not null && Manifests.MediaTypes.IsIndex(described.ImageManifestMediaType)
                ? await IndexChildrenAsync(client, destination.RegistryId, repository, source.Digest!, cancellationToken)
                : [];
            var response = await client.BatchDeleteImageAsync(new BatchDeleteImageRequest { RegistryId = destination.RegistryId, RepositoryName = repository, ImageIds = [id] }, cancellationToken);
            return response.Failures?.FirstOrDefault() switch
            {
                null => Result(ReplicationOutcome.Deleted, await RemoveOrphansAsync(client, destination.RegistryId, repository, source, children, cancellationToken)),
                { FailureCode: ImageFailureCode.ImageNotFound } => Result(ReplicationOutcome.Skipped, "not in the destination"),

                // An index in the destination lists it. Never deleted by inference: from the destination alone, the
                // replica of an index the source deleted looks the same as an index the source never had (one pushed
                // there by its owner). ECR emits one DELETE per image in no set order, so when the index was the
                // source's, its own DELETE is on its way in the same message group and removes what it listed (above).
                { FailureCode: ImageFailureCode.ImageReferencedByManifestList } refused => new DestinationResult(
                    destination, ReplicationOutcome.Skipped, source.Digest, 0, 0, 0, _time.GetElapsedTime(started), ImageFailureCode.ImageReferencedByManifestList,
                    $"an index in the destination lists it ({refused.FailureReason}); left alone: the index's own delete, if the source deleted it, removes the platform manifests the source no longer holds and their tags it no longer has"),
                var failure => Failed(failure.FailureCode ?? "DeleteFailed", $"delete refused: {failure.FailureReason}", ImageFailureCode.IsTransient(failure.FailureCode)),
            };
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return Result(ReplicationOutcome.Skipped, "the destination repository does not exist");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
            var keyRefused = FailureClassifier.IsStoredKeyRefused(ex, _destinationClients.SignsWithStoredKey(destination, source.RegistryId));
            message = RefusedKeyMessage.Describe(message, keyRefused, _destinationClients, destination, source.RegistryId);

            return Failed(code, message, transient) with
            {
                CredentialsDenied = FailureClassifier.IsCredentialsDenied(ex),
                KeyRefused = keyRefused,
            };
        }

        DestinationResult Result(ReplicationOutcome outcome, string? message) =>
            new(destination, outcome, source.Digest, 0, 0, 0, _time.GetElapsedTime(started), Message: message);

        DestinationResult Failed(string code, string message, bool transient) =>
            new(destination, ReplicationOutcome.Failed, source.Digest, 0, 0, 0, _time.GetElapsedTime(started), code, message, transient);
    }

    /// <summary>
    /// The digests an index in the destination lists, or none when <paramref name="digest"/> is not an index there (or
    /// cannot be read or parsed: then nothing is removed after it).
    /// </summary>
    private static async Task<IReadOnlyList<string>> IndexChildrenAsync(IEcrClient client, string? registryId, string repository, string digest, CancellationToken cancellationToken)
    {
        var got = await client.BatchGetImageAsync(
            new BatchGetImageRequest
            {
                RegistryId = registryId,
                RepositoryName = repository,
                ImageIds = [new ImageIdentifier { ImageDigest = digest }],
                AcceptedMediaTypes = [.. Manifests.MediaTypes.AcceptedManifestTypes],
            },
            cancellationToken);
        if (got.Images?.FirstOrDefault() is not { ImageManifest: { } manifest } image || !Manifests.MediaTypes.IsIndex(image.ImageManifestMediaType))
        {
            return [];
        }

        try
        {
            return [.. Manifests.ManifestParser.Parse(manifest, image.ImageManifestMediaType).Manifests.Select(m => m.Digest).Distinct()];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return [];
        }
    }

    /// <summary>
    /// After an index left the destination: each platform manifest it listed that the source no longer holds, deleted
    /// too, said for the log. This is what a platform manifest's own DELETE, refused while the index listed it (it came
    /// first: ECR keeps no order), could not do. A tagged one (the <c>docker manifest</c> pattern, <c>app:amd64</c>
    /// under <c>app:v1</c>) loses the tags the source no longer has at any digest, within TAG_FILTER: its tag's own
    /// DELETE was refused while the index listed it (ECR keeps an image an index lists,
    /// https://github.com/aws/containers-roadmap/issues/1567), and nothing else would send it again but the reconciler,
    /// which deletes exactly these tags (<see cref="Reconciliation.DriftFinder.DeletedTags"/>); with its last tag gone,
    /// ECR deletes the image. One the source holds stays, as in the source, and so do its tags that the source holds
    /// or that the filter leaves out. One still listed by another index is refused by ECR and stays. A failure to read
    /// or delete is said, not the record's: the index is gone either way, and what stays is a platform manifest that the
    /// reconciler or a lifecycle rule for untagged images removes.
    /// </summary>
    private async Task<string?> RemoveOrphansAsync(IEcrClient client, string? registryId, string repository, ImageReference source, IReadOnlyList<string> children, CancellationToken cancellationToken)
    {
        if (children.Count == 0)
        {
            // Not an index.
            return null;
        }

        var removed = new List<string>();
        var untagged = new List<string>();
        var refused = new List<string>();
        var undecided = new List<string>();
        try
        {
            // Inside the try: the tag is deleted by now, so a failure to read whether the index stayed is said, not the
            // record's (a retry finds the tag gone and skips, and would not come back here either). Nothing is removed
            // then: an index that keeps other tags still lists these platform manifests.
            if (source.Tag is not null && await ImageDescriptions.FindAsync(client, registryId, repository, new ImageIdentifier { ImageDigest = source.Digest }, cancellationToken) is not null)
            {
                // A tag deleted from an index that keeps other tags.
                return null;
            }

            var sourceClient = _sourceClients.GetClient(source.Region);
            foreach (var child in children)
            {
                var there = await ImageDescriptions.FindAsync(client, registryId, repository, new ImageIdentifier { ImageDigest = child }, cancellationToken);
                if (there is null || await InSourceAsync(sourceClient, source with { Digest = child, Tag = null }, cancellationToken) is not null)
                {
                    continue;
                }

                var tags = there.ImageTags ?? [];
                var stale = new List<string>();
                foreach (var tag in tags)
                {
                    if (Included(tag, undecided)
                        && await InSourceAsync(sourceClient, source with { Digest = child, Tag = tag }, cancellationToken) is null)
                    {
                        stale.Add(tag);
                    }
                }

                // Untagged: the image goes by its digest, as its own DELETE would have taken it. Tagged: only the stale
                // tags, each by its name (a tag is named alone, as a tag's DELETE names it), and with the last one ECR
                // deletes the image. Never by digest once it has tags: that deletes the image "and all of its tags"
                // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html), so a tag put
                // on it in the destination after the DescribeImages above (its owner's, or one outside TAG_FILTER)
                // would go too; by name it keeps the image.
                List<ImageIdentifier> ids = tags.Count == 0
                    ? [new ImageIdentifier { ImageDigest = child }]
                    : [.. stale.Select(t => new ImageIdentifier { ImageTag = t })];
                if (ids.Count == 0)
                {
                    continue;
                }

                var response = await client.BatchDeleteImageAsync(new BatchDeleteImageRequest { RegistryId = registryId, RepositoryName = repository, ImageIds = ids }, cancellationToken);
                var failures = response.Failures ?? [];
                if (stale.Count == tags.Count)
                {
                    if (failures.Count == 0)
                    {
                        removed.Add(child);
                    }
                }
                else
                {
                    var failed = failures.Select(f => f.ImageId?.ImageTag).OfType<string>().ToHashSet(StringComparer.Ordinal);
                    untagged.AddRange(stale.Where(t => !failed.Contains(t)).Select(t => $"{t} (on {child})"));
                }

                // Another index still listing it is ECR's rule and expected; anything else is said.
                refused.AddRange(failures
                    .Where(f => f.FailureCode != ImageFailureCode.ImageReferencedByManifestList)
                    .Select(f => $"{f.ImageId?.ImageTag ?? child} ({f.FailureCode}: {f.FailureReason})"));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (_, message, _) = FailureClassifier.Classify(ex, null, cancellationToken);
            return $"the index's platform manifests were not all checked ({message}); {removed.Count} removed, the rest left";
        }

        return string.Join("; ", new[]
        {
            removed.Count == 0 ? null : $"with {removed.Count} platform manifest(s) it listed that the source no longer holds: {string.Join(", ", removed)}",
            untagged.Count == 0 ? null : $"tags the source no longer has, removed from platform manifests it listed: {string.Join(", ", untagged)}",
            refused.Count == 0 ? null : $"refused, left: {string.Join(", ", refused)}",
            undecided.Count == 0 ? null : $"tags TAG_FILTER could not decide in time, left: {string.Join(", ", undecided)}",
        }.OfType<string>()) is { Length: > 0 } said ? said : null;
    }

    /// <summary>
    /// Whether TAG_FILTER takes <paramref name="tag"/>. One it cannot decide in time (RegexMatchTimeoutException) is left,
    /// as the reconciler and the record handler leave such a tag out (GuardedTagFilter, RecordHandler), and said; the
    /// exception, thrown on, would leave every platform manifest after this one unchecked.
    /// </summary>
    private bool Included(string tag, List<string> undecided)
    {
        try
        {
            return _tagFilter is null || _tagFilter.IsMatch(tag);
        }
        catch (RegexMatchTimeoutException e)
        {
            undecided.Add($"{tag} (over {e.MatchTimeout.TotalMilliseconds:0} ms)");
            return false;
        }
    }

    /// <summary>
    /// What the source still holds of a deleted image, said for the log, or null when it holds none of it (its
    /// repository gone included). A tag is looked for at any digest: ECR's events come through EventBridge and a
    /// standard queue, neither of which keeps order (a standard queue's is best-effort:
    /// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/standard-queues.html), so "delete T"
    /// can arrive after the push that put T back; a DELETE redriven late is stopped the same way. The answer is only
    /// as good as the source asked: a registry that lacks the repository holds nothing, so the caller must name the
    /// source it owns (the function refuses an event naming another account or region than its own before it gets
    /// here). DescribeImages in every status: an archived image still holds its tags.
    /// </summary>
    public static async Task<string?> InSourceAsync(IEcrClient client, ImageReference source, CancellationToken cancellationToken)
    {
        var id = source.Tag is not null ? new ImageIdentifier { ImageTag = source.Tag } : new ImageIdentifier { ImageDigest = source.Digest };
        var held = await ImageDescriptions.FindAsync(client, source.RegistryId, source.RepositoryName, id, cancellationToken);
        return held switch
        {
            null => null,
            _ when source.Tag is not null => $"the source still has tag '{source.Tag}' (at {held.ImageDigest})",
            _ => $"the source still has {source.Digest}",
        };
    }
}
