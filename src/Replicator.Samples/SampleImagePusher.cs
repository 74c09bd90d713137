using System.Buffers;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Samples;

/// <summary>
/// Pushes a <see cref="SampleImage"/> into an ECR repository the way a registry client would (blobs in parts,
/// then manifests in order, the tag on the root): what the demo, the benchmarks and the tests start from.
/// </summary>
public static class SampleImagePusher
{
    public static async Task PushAsync(IEcrClient client, string repository, SampleImage image, string? tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(image);
        await EnsureRepositoryAsync(client, repository, cancellationToken);
        foreach (var blob in image.Blobs)
        {
            await PushBlobAsync(client, repository, blob, cancellationToken);
        }

        foreach (var manifest in image.Manifests)
        {
            var isRoot = ReferenceEquals(manifest, image.Root);
            await PutManifestAsync(client, repository, manifest, isRoot ? tag : null, cancellationToken);
        }
    }

    // The sample is deterministic, so pushing it again (the same tag, or another tag for the same digest) meets
    // manifests that are already there. ECR answers ImageAlreadyExistsException when the manifest, and the tag if one
    // is given, are already in the repository ("the image has already been pushed, and there were no changes to the
    // manifest or image tag": https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImage.html), which is
    // the state the push wants; a new tag on an existing digest is not refused, ECR adds the tag. An immutable tag is
    // answered ImageTagAlreadyExistsException instead (github.com/aws/containers-roadmap/issues/2179), still an error.
    private static async Task PutManifestAsync(IEcrClient client, string repository, SampleManifest manifest, string? tag, CancellationToken cancellationToken)
    {
        try
        {
            await client.PutImageAsync(
                new PutImageRequest
                {
                    RepositoryName = repository,
                    ImageManifest = manifest.Manifest,
                    ImageManifestMediaType = manifest.MediaType,
                    ImageDigest = manifest.Digest,
                    ImageTag = tag,
                },
                cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.ImageAlreadyExistsException)
        {
        }
    }

    private static async Task EnsureRepositoryAsync(IEcrClient client, string repository, CancellationToken cancellationToken)
    {
        try
        {
            await client.CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = repository }, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryAlreadyExistsException)
        {
        }
    }

    private static async Task PushBlobAsync(IEcrClient client, string repository, SampleBlob blob, CancellationToken cancellationToken)
    {
        var check = await client.BatchCheckLayerAvailabilityAsync(
            new BatchCheckLayerAvailabilityRequest { RepositoryName = repository, LayerDigests = [blob.Digest] }, cancellationToken);
        if (check.Layers?.Any(l => l.LayerAvailability == LayerAvailability.Available) == true)
        {
            return;
        }

        var upload = await client.InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = repository }, cancellationToken);
        var partSize = (int)(upload.PartSize ?? 10 * 1024 * 1024);
        var buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            await using var content = blob.Content.OpenRead();
            long offset = 0;
            while (true)
            {
                var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, partSize), partSize, throwOnEndOfStream: false, cancellationToken);
                if (filled == 0)
                {
                    break;
                }

                await client.UploadLayerPartAsync(
                    new UploadLayerPartRequest
                    {
                        RepositoryName = repository,
                        UploadId = upload.UploadId,
                        PartFirstByte = offset,
                        PartLastByte = offset + filled - 1,
                        LayerPartBlob = buffer.AsMemory(0, filled),
                    },
                    cancellationToken);
                offset += filled;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        try
        {
            await client.CompleteLayerUploadAsync(
                new CompleteLayerUploadRequest { RepositoryName = repository, UploadId = upload.UploadId, LayerDigests = [blob.Digest] }, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.LayerAlreadyExistsException)
        {
        }
    }
}
