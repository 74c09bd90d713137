using System.Buffers;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;

namespace Replicator.Core.Copy;

/// <summary>
/// Copies one blob: presigned download, hashed while read, cut into the destination's part size and uploaded
/// in order; CompleteLayerUpload only after the digest and size are verified, so a corrupt blob is never
/// published. Memory is one pooled part buffer per layer in flight, whatever the layer size.
/// </summary>
internal sealed class BlobCopier
{
    private readonly HttpClient _http;
    private readonly EcrCallRunner _calls;
    private readonly BlobCopyOptions _options;

    public BlobCopier(HttpClient http, EcrCallRunner calls, BlobCopyOptions options)
    {
        _http = http;
        _calls = calls;
        _options = options;
    }

    /// <summary>Copies the blob; returns the bytes uploaded (0 when the destination already had it).</summary>
    public async Task<long> CopyAsync(BlobRoute route, BlobToCopy blob, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        for (var restart = 0; ; restart++)
        {
            try
            {
                return await CopyOnceAsync(route, blob, progress, cancellationToken);
            }
            catch (Exception ex) when (restart < _options.MaxLayerRestarts && IsRestartable(ex))
            {
                // A fresh upload session and a fresh download; the destination keeps nothing of the failed attempt.
            }
        }
    }

    private static bool IsRestartable(Exception ex) => ex switch
    {
        EcrException e => e.ErrorCode is EcrErrorCodes.UploadNotFoundException || e.IsTransient,
        ReplicationException r => r.IsTransient,
        _ => false,
    };

    private async Task<long> CopyOnceAsync(BlobRoute route, BlobToCopy blob, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var initiated = await _calls.RunAsync(
            "InitiateLayerUpload",
            (route, blob),
            static (s, ct) => s.route.Destination.InitiateLayerUploadAsync(
                new InitiateLayerUploadRequest { RegistryId = s.route.DestinationRegistryId, RepositoryName = s.route.DestinationRepository }, ct),
            cancellationToken);

        var partSize = UploadPartSize.Choose(blob.Size, initiated.PartSize);
        var buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            using var download = OpenSource(route, blob);
            long uploaded = 0;
            while (true)
            {
                var filled = await download.FillAsync(buffer.AsMemory(0, partSize), cancellationToken);
                if (filled == 0)
                {
                    break;
                }

                await UploadPartAsync(route, initiated.UploadId!, uploaded, buffer.AsMemory(0, filled), cancellationToken);
                uploaded += filled;
                progress?.Report(filled);
            }

            download.Verify();
            await CompleteAsync(route, initiated.UploadId!, blob.Digest, cancellationToken);
            return uploaded;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private BlobDownload OpenSource(BlobRoute route, BlobToCopy blob)
    {
        return new BlobDownload(_http, ct => GetDownloadUrlAsync(route, blob.Digest, ct), blob.Digest, blob.Size, _options, blob.InlineData);
    }

    private async Task<Uri> GetDownloadUrlAsync(BlobRoute route, string digest, CancellationToken cancellationToken)
    {
        var response = await _calls.RunAsync(
            "GetDownloadUrlForLayer",
            (route, digest),
            static (s, ct) => s.route.Source.GetDownloadUrlForLayerAsync(
                new GetDownloadUrlForLayerRequest { RegistryId = s.route.SourceRegistryId, RepositoryName = s.route.SourceRepository, LayerDigest = s.digest }, ct),
            cancellationToken);
        return new Uri(response.DownloadUrl ?? throw new ReplicationException(ReplicationErrorCodes.DownloadFailed, $"layer {digest}: ECR returned no download URL", isTransient: true));
    }

    private async Task UploadPartAsync(BlobRoute route, string uploadId, long partStart, ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        var partEnd = partStart + part.Length - 1;
        var offset = partStart;
        while (true)
        {
            try
            {
                await _calls.RunAsync(
                    "UploadLayerPart",
                    (route, uploadId, offset, partEnd, part, partStart),
                    static (s, ct) => s.route.Destination.UploadLayerPartAsync(
                        new UploadLayerPartRequest
                        {
                            RegistryId = s.route.DestinationRegistryId,
                            RepositoryName = s.route.DestinationRepository,
                            UploadId = s.uploadId,
                            PartFirstByte = s.offset,
                            PartLastByte = s.partEnd,
                            LayerPartBlob = s.part[(int)(s.offset - s.partStart)..],
                        },
                        ct),
                    cancellationToken);
                return;
            }
            catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.InvalidLayerPartException && e.LastValidByteReceived is { } lastValid)
            {
                // ECR tells how far it got. A retried part whose first attempt landed shows up here too.
                var next = lastValid + 1;
                if (next > partEnd)
                {
                    return;
                }

                if (next < partStart || next == offset)
                {
                    // The destination lost bytes we no longer hold, or refuses the same offset again: start the layer over.
                    throw new ReplicationException(e.ErrorCode, "the destination upload lost its position; restarting the layer", isTransient: true, e);
                }

                offset = next;
            }
        }
    }

    private async Task CompleteAsync(BlobRoute route, string uploadId, string digest, CancellationToken cancellationToken)
    {
        try
        {
            await _calls.RunAsync(
                "CompleteLayerUpload",
                (route, uploadId, digest),
                static (s, ct) => s.route.Destination.CompleteLayerUploadAsync(
                    new CompleteLayerUploadRequest
                    {
                        RegistryId = s.route.DestinationRegistryId,
                        RepositoryName = s.route.DestinationRepository,
                        UploadId = s.uploadId,
                        LayerDigests = [s.digest],
                    },
                    ct),
                cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.LayerAlreadyExistsException)
        {
            // Another copy (a concurrent invocation, or an earlier attempt) finished first: the blob is there.
        }
    }
}
