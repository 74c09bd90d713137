using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>
/// Replicates a deletion: removes the tag (only while it still points at the deleted digest, so a late delete
/// never removes a newer push) or the digest from each destination on its own. Absent images are skipped, not failed.
/// Nothing is deleted while the source still holds what the event names (<see cref="InSourceAsync"/>).
/// </summary>
internal sealed partial class ImageDeleter
{
    private readonly RepositoryMapping _mapping;
    private readonly IEcrClientProvider _sourceClients;
    private readonly IDestinationClients _destinationClients;
    private readonly IReplicationObserver _observer;
    private readonly TimeProvider _time;

    public ImageDeleter(RepositoryMapping mapping, IEcrClientProvider sourceClients, IDestinationClients destinationClients, IReplicationObserver observer, TimeProvider time)
    {
        _mapping = mapping;
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
            if (source.Tag is not null && source.Digest is not null)
            {
                var current = await ImageDescriptions.TagDigestAsync(client, destination.RegistryId, repository, source.Tag, cancellationToken);
                if (current != source.Digest)
                {
                    var why = current is null ? "is not in the destination" : $"points at {current} in the destination, not at the deleted {source.Digest}";
                    return Result(ReplicationOutcome.Skipped, $"tag '{source.Tag}' {why}; left alone");
                }
            }

            var id = source.Tag is not null ? new ImageIdentifier { ImageTag = source.Tag } : new ImageIdentifier { ImageDigest = source.Digest };
            var response = await client.BatchDeleteImageAsync(new BatchDeleteImageRequest { RegistryId = destination.RegistryId, RepositoryName = repository, ImageIds = [id] }, cancellationToken);

            var failure = response.Failures?.FirstOrDefault();
            string? after = null;
            if (failure is { FailureCode: ImageFailureCode.ImageReferencedByManifestList })
            {
                var child = failure.ImageId?.ImageDigest ?? source.Digest;
                var (parents, refusal) = await ParentsGoneFromSourceAsync(client, destination.RegistryId, repository, source, child, failure.FailureReason, cancellationToken);
                if (refusal is not null)
                {
                    return refusal.Value.Transient is { } transient
                        ? Failed(refusal.Value.Code, refusal.Value.Message, transient)
                        : Failed(ImageFailureCode.ImageReferencedByManifestList, $"delete refused: {failure.FailureReason}; {refusal.Value.Message}", transient: false);
                }

                var parentResponse = await client.BatchDeleteImageAsync(
                    new BatchDeleteImageRequest { RegistryId = destination.RegistryId, RepositoryName = repository, ImageIds = [.. parents.Select(p => new ImageIdentifier { ImageDigest = p })] },
                    cancellationToken);
                if (parentResponse.Failures?.FirstOrDefault(f => f.FailureCode != ImageFailureCode.ImageNotFound) is { } parentFailure)
                {
                    return Failed(parentFailure.FailureCode ?? "DeleteFailed",
                        $"delete refused: {failure.FailureReason}; deleting the index {parentFailure.ImageId?.ImageDigest} first was refused too: {parentFailure.FailureReason}", transient: false);
                }

                after = $"after deleting the index(es) that listed it in the destination, which the source no longer holds: {string.Join(", ", parents)}";
                response = await client.BatchDeleteImageAsync(new BatchDeleteImageRequest { RegistryId = destination.RegistryId, RepositoryName = repository, ImageIds = [id] }, cancellationToken);
                failure = response.Failures?.FirstOrDefault();
            }

            return failure switch
            {
                null => Result(ReplicationOutcome.Deleted, after),
                { FailureCode: ImageFailureCode.ImageNotFound } => Result(ReplicationOutcome.Skipped, "not in the destination"),
                _ => Failed(failure.FailureCode ?? "DeleteFailed", $"delete refused: {failure.FailureReason}", transient: false),
            };
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryNotFoundException)
        {
            return Result(ReplicationOutcome.Skipped, "the destination repository does not exist");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
            return Failed(code, message, transient) with
            {
                CredentialsDenied = FailureClassifier.IsCredentialsDenied(ex),
                KeyRefused = FailureClassifier.IsStoredKeyRefused(ex, _destinationClients.SignsWithStoredKey(destination, source.RegistryId)),
            };
        }

        DestinationResult Result(ReplicationOutcome outcome, string? message) =>
            new(destination, outcome, source.Digest, 0, 0, 0, _time.GetElapsedTime(started), Message: message);

        DestinationResult Failed(string code, string message, bool transient) =>
            new(destination, ReplicationOutcome.Failed, source.Digest, 0, 0, 0, _time.GetElapsedTime(started), code, message, transient);
    }

    /// <summary>
    /// The indexes in the destination that list <paramref name="child"/>, when the source holds none of them, so they
    /// can be deleted before it. ECR lets a platform manifest go only once no index lists it, and emits one DELETE per
    /// image in no set order (EventBridge keeps none): the child's event can come before its index's, in the same FIFO
    /// message group, so a transient failure would hold the index's event behind it. The parents are the digests
    /// ECR names in the failure ("Requested image referenced by manifest list: [sha256:...]"), or, when it names none,
    /// those found among the destination's indexes (bounded: <see cref="MaxListedPages"/> pages of DescribeImages and
    /// <see cref="MaxIndexesRead"/> indexes read). Nothing the source still holds is deleted: a parent the source holds
    /// (or one that cannot be found) is a refusal, said for the log; a source that cannot be read is a failure as
    /// classified (Transient set).
    /// </summary>
    private async Task<(IReadOnlyList<string> Parents, (string Code, string Message, bool? Transient)? Refusal)> ParentsGoneFromSourceAsync(
        IEcrClient client, string? registryId, string repository, ImageReference source, string? child, string? reason, CancellationToken cancellationToken)
    {
        var parents = DigestsIn(reason);
        if (parents.Count == 0 && child is not null)
        {
            parents = await IndexesListingAsync(client, registryId, repository, child, cancellationToken);
        }

        if (parents.Count == 0)
        {
            return ([], ("", "no index listing it was found in the destination", null));
        }

        var held = new List<string>();
        try
        {
            var sourceClient = _sourceClients.GetClient(source.Region);
            foreach (var parent in parents)
            {
                if (await InSourceAsync(sourceClient, source with { Digest = parent, Tag = null }, cancellationToken) is not null)
                {
                    held.Add(parent);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var (code, message, transient) = FailureClassifier.Classify(ex, source.Tag, cancellationToken);
            return ([], (code, $"reading the source for the index(es) that list it ({string.Join(", ", parents)}): {message}", transient));
        }

        return held.Count > 0
            ? ([], ("", $"the source still holds the index(es) that list it: {string.Join(", ", held)}; nothing deleted", null))
            : (parents, null);
    }

    private const int MaxListedPages = 5;
    private const int MaxIndexesRead = 500;

    private static List<string> DigestsIn(string? reason) =>
        reason is null ? [] : [.. Sha256Digest().Matches(reason).Select(m => m.Value).Distinct()];

    [System.Text.RegularExpressions.GeneratedRegex("sha256:[0-9a-f]{64}", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex Sha256Digest();

    private static async Task<List<string>> IndexesListingAsync(IEcrClient client, string? registryId, string repository, string child, CancellationToken cancellationToken)
    {
        var indexes = new List<string>();
        var pages = 0;
        var listing = new DescribeImagesRequest
        {
            RegistryId = registryId,
            RepositoryName = repository,
            Filter = new DescribeImagesFilter { TagStatus = TagStatus.Any, ImageStatus = ImageStatusFilter.Any },
            MaxResults = EcrLimits.DescribeMaxResults,
        };
        await foreach (var page in client.Paginators.DescribeImages(listing).Responses.WithCancellation(cancellationToken))
        {
            indexes.AddRange((page.ImageDetails ?? []).Where(d => Manifests.MediaTypes.IsIndex(d.ImageManifestMediaType) && d.ImageDigest is not null).Select(d => d.ImageDigest!));
            if (++pages == MaxListedPages || indexes.Count >= MaxIndexesRead)
            {
                break;
            }
        }

        var parents = new List<string>();
        foreach (var chunk in indexes.Take(MaxIndexesRead).Chunk(EcrLimits.GetImageBatchSize))
        {
            var got = await client.BatchGetImageAsync(
                new BatchGetImageRequest
                {
                    RegistryId = registryId,
                    RepositoryName = repository,
                    ImageIds = [.. chunk.Select(d => new ImageIdentifier { ImageDigest = d })],
                    AcceptedMediaTypes = [.. Manifests.MediaTypes.AcceptedManifestTypes],
                },
                cancellationToken);
            foreach (var image in got.Images ?? [])
            {
                if (image.ImageManifest is null || image.ImageId?.ImageDigest is not { } digest)
                {
                    continue;
                }

                try
                {
                    if (Manifests.ManifestParser.Parse(image.ImageManifest, image.ImageManifestMediaType).Manifests.Any(m => m.Digest == child))
                    {
                        parents.Add(digest);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // An index that cannot be parsed is not known to list the child: it is not deleted.
                }
            }
        }

        return [.. parents.Distinct()];
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
