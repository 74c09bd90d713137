using System.Threading.Channels;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// One destination's upload session of one blob: InitiateLayerUpload, then the shared parts in order as the
/// download hands them over (a bounded queue of <see cref="BlobCopyOptions.PartsInFlight"/>), then
/// CompleteLayerUpload once the download verified the digest. A failure is recorded, not thrown, so that one
/// destination's failure never stops the download the others share.
/// </summary>
internal sealed class PartUpload
{
    private readonly BlobCopyTarget _target;
    private readonly string _digest;
    private readonly long _size;

    // Cancelled only when the download abandons the upload (Abandon). Never disposed: it has no timer and no link of
    // its own (each part's call links it with the request's token for that call alone), so cancelling it from the
    // download's thread can never meet a disposed source.
    private readonly CancellationTokenSource _calls = new();
    private string? _uploadId;
    private Exception? _error;
    private long _taken;
    private int _settled;
    private bool _layerRestarted;
    private volatile bool _sending;

    public PartUpload(BlobCopyTarget target, BlobToCopy blob, int partsInFlight)
    {
        _target = target;
        _digest = blob.Digest;
        _size = blob.Size;
        // Two readers: the upload, and the download when it abandons this upload (Abandon empties the queue).
        Parts = Channel.CreateBounded<SharedPart>(new BoundedChannelOptions(partsInFlight) { SingleReader = false, SingleWriter = true });
    }

    public BlobCopyTarget Target => _target;

    /// <summary>The part size this destination takes; parts are cut once per size, shared by every upload of that size.</summary>
    public int PartSize { get; private set; }

    public Channel<SharedPart> Parts { get; }

    public long Uploaded { get; private set; }

    /// <summary>The first failure; set from the upload's own thread and from the download's (<see cref="Abandon"/>).</summary>
    public Exception? Error => Volatile.Read(ref _error);

    public bool Failed => Error is not null;

    /// <summary>Parts this upload has taken from its queue: the download tells an upload that keeps up from a stuck one.</summary>
    public long Taken => Interlocked.Read(ref _taken);

    /// <summary>An UploadLayerPart of this upload is on the wire: an empty queue then means a call under way, not a wait for the next part.</summary>
    public bool Sending => _sending;

    /// <summary>This failed upload's layer has been started over in a fresh session (settled; <see cref="TrySettle"/>).</summary>
    public bool LayerRestarted
    {
        get => Volatile.Read(ref _layerRestarted);
        set => Volatile.Write(ref _layerRestarted, value);
    }

    /// <summary>True for the first caller only: the one that tells the upload's outcome, or restarts its layer.</summary>
    public bool TrySettle() => Interlocked.Exchange(ref _settled, 1) == 0;

    /// <summary>Records the first failure only: a later one (the cancelled call of an abandoned upload) says nothing new.</summary>
    public void Fail(Exception error) => Interlocked.CompareExchange(ref _error, error, null);

    /// <summary>
    /// Leaves the shared download: failed, its call on the wire cancelled and its queued parts given back at once.
    /// Called by the download, for an upload that fell behind (<see cref="BlobCopyOptions.FallBehindTimeout"/>), so
    /// that a hung destination holds no part of the pool while the others go on; and for every upload when the
    /// download itself failed, so that nothing more is sent of a blob no upload can publish, and no destination's
    /// outcome (nor the restart after a digest mismatch) waits for another's hung call.
    /// </summary>
    public void Abandon(Exception error)
    {
        Fail(error);
        _calls.Cancel();
        while (Parts.Reader.TryRead(out var queued))
        {
            queued.Release();
        }
    }

    public async Task InitiateAsync(CancellationToken cancellationToken)
    {
        try
        {
            var destination = _target.Target;
            var initiated = await destination.Client.InitiateLayerUploadAsync(
                new InitiateLayerUploadRequest { RegistryId = destination.RegistryId, RepositoryName = destination.Repository }, cancellationToken);
            _uploadId = initiated.UploadId;
            PartSize = UploadPartSize.Choose(_size, initiated.PartSize);
        }
        catch (Exception ex)
        {
            Fail(ex);
        }
    }

    /// <summary>Uploads the parts as they arrive until the download completes the queue. Never throws.</summary>
    public async Task UploadPartsAsync(CancellationToken cancellationToken)
    {
        var reader = Parts.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var part))
                {
                    Interlocked.Increment(ref _taken);
                    try
                    {
                        if (!Failed)
                        {
                            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _calls.Token);
                            _sending = true;
                            try
                            {
                                await UploadPartAsync(part, call.Token);
                            }
                            finally
                            {
                                _sending = false;
                            }

                            Uploaded += part.Length;
                            _target.Progress?.Report(part.Length);
                        }
                    }
                    catch (Exception ex)
                    {
                        Fail(ex);
                    }
                    finally
                    {
                        part.Release();
                    }
                }
            }
        }
        catch (Exception ex)
        {
            // Cancelled while waiting, or the download failed (it completes the queue with its error).
            Fail(ex);
        }
        finally
        {
            await ReleaseUntilCompletedAsync(reader);
        }
    }

    /// <summary>
    /// Gives back whatever is queued, until the download completes the queue (it does on every path, and at once
    /// after a cancellation). Stopping at the first empty queue would leak: the download checks the token and then
    /// writes, so a part it hands out just as the token fires lands after such a drain and would hold a pool slot
    /// for the life of the process. Reading on frees room in the queue, so the download never blocks on it.
    /// </summary>
    private static async Task ReleaseUntilCompletedAsync(ChannelReader<SharedPart> reader)
    {
        try
        {
            do
            {
                while (reader.TryRead(out var left))
                {
                    left.Release();
                }
            }
            while (await reader.WaitToReadAsync(CancellationToken.None));
        }
        catch (Exception)
        {
            // Completed with the download's error once empty: the upload has recorded it already.
        }
    }

    /// <summary>CompleteLayerUpload, unless the upload failed first; true when the layer is in the destination. Never throws.</summary>
    public async Task<bool> CompleteAsync(CancellationToken cancellationToken)
    {
        if (Failed)
        {
            return false;
        }

        try
        {
            var destination = _target.Target;
            await destination.Client.CompleteLayerUploadAsync(
                new CompleteLayerUploadRequest
                {
                    RegistryId = destination.RegistryId,
                    RepositoryName = destination.Repository,
                    UploadId = _uploadId,
                    LayerDigests = [_digest],
                },
                cancellationToken);
            return true;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.LayerAlreadyExistsException)
        {
            // Another copy (a concurrent invocation, or an earlier attempt) finished first: the blob is there.
            return true;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.UploadNotFoundException)
        {
            // The decorator retries a CompleteLayerUpload whose answer was lost (a timeout, a cut connection). When the
            // first try landed, it closed the session, and the retry finds no upload; restarting would upload the whole
            // layer again only to be told it already exists. Ask the repository first.
            if (await HeldAsync(cancellationToken))
            {
                return true;
            }

            // A question cut short by the request's cancellation answers nothing about the layer: the upload fails
            // as cancelled, so another request that joined this copy takes it over (InFlightCopies) instead of
            // failing its destination with this one's UploadNotFound.
            Fail(cancellationToken.IsCancellationRequested ? new OperationCanceledException("the request was cancelled while the destination was asked whether it holds the layer", e, cancellationToken) : e);
            return false;
        }
        catch (Exception ex)
        {
            Fail(ex);
            return false;
        }
    }

    /// <summary>
    /// Whether the destination repository holds the layer. Any failure of the question, cancellation included, counts
    /// as no: it is asked from inside a catch, where an exception would escape the upload instead of failing it.
    /// </summary>
    private async Task<bool> HeldAsync(CancellationToken cancellationToken)
    {
        var destination = _target.Target;
        try
        {
            var answer = await destination.Client.BatchCheckLayerAvailabilityAsync(
                new BatchCheckLayerAvailabilityRequest { RegistryId = destination.RegistryId, RepositoryName = destination.Repository, LayerDigests = [_digest] },
                cancellationToken);
            return answer.Layers?.Any(l => l.LayerDigest == _digest && l.LayerAvailability == LayerAvailability.Available) == true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private async Task UploadPartAsync(SharedPart part, CancellationToken cancellationToken)
    {
        var destination = _target.Target;
        var partEnd = part.Start + part.Length - 1;
        try
        {
            await destination.Client.UploadLayerPartAsync(
                new UploadLayerPartRequest
                {
                    RegistryId = destination.RegistryId,
                    RepositoryName = destination.Repository,
                    UploadId = _uploadId,
                    PartFirstByte = part.Start,
                    PartLastByte = partEnd,
                    EncodedPart = part,
                },
                cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.InvalidLayerPartException)
        {
            // ECR tells how far it got. A retried part whose first attempt landed shows up here, holding the whole part:
            // the upload goes on. Anything else starts the layer over. Not a resend of the rest of the part: that rest
            // would be a part of its own, under ECR's 5 MiB minimum for every part but the last
            // (LayerPartTooSmallException) and one more than the plan's at most 4,200, and a server whose position
            // moved backwards could keep such a loop going outside the retry budget. Without a position
            // (lastValidByteReceived is optional in the model) the session's state is unknown: a fresh one is the
            // way on, within MaxLayerRestarts, rather than a permanent failure.
            if (e.LastValidByteReceived is not { } lastValid || lastValid < partEnd)
            {
                throw new ReplicationException(e.ErrorCode, "the destination upload is not where the part expects it; restarting the layer", isTransient: true, e);
            }
        }
    }
}
