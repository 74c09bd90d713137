using System.Buffers;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Resilience;

namespace Replicator.Core.Copy;

/// <summary>
/// Copies one blob to every destination that lacks it, downloading it once: presigned download, hashed while
/// read, cut into parts that are base64-encoded and hashed for SigV4 once and shared by every destination's
/// upload (<see cref="SharedPart"/>), each upload taking its parts in order from a short queue, so that part N+1
/// is read, encoded and hashed while part N is on the wire. CompleteLayerUpload only after the digest and size
/// are verified, so a corrupt blob is never published. Memory per blob is bounded by the queue length, not by the
/// blob size or the number of destinations: the slowest destination holds the download back, so a blob holds at most
/// <see cref="BlobCopyOptions.PartsInFlight"/> + 3 parts (that destination's part on the wire, its queue, the part
/// being read or waiting to be handed out, and for a moment the part before the one on the wire, which the HTTP stack
/// may still be sending after the answer came: <see cref="Replicator.Core.Ecr.Http.RetainedContent"/>). Across
/// blobs, memory is bounded by the <see cref="SharedPartPool"/>.
/// A destination whose upload session opens later than <see cref="BlobCopyOptions.FanOutGrace"/> after the first
/// gets a download of its own, and one whose upload stands still for <see cref="BlobCopyOptions.FallBehindTimeout"/>
/// while the others go on falls behind: its call is cancelled, its parts go back to the pool and it fails transiently
/// (redelivered, it copies alone, the others holding the image by then). So a degraded region holds the healthy ones
/// back for seconds, not for its calls' timeouts and retries.
/// </summary>
internal sealed class BlobCopier
{
    /// <summary>
    /// Raw bytes read at a time on their way into a part: a multiple of 3 (base64 turns 3 bytes into 4) and small
    /// enough to stay in a core's cache between the read, the digest's hash and the encoding.
    /// </summary>
    private const int ReadChunk = 3 * 64 * 1024;

    private readonly HttpClient _http;
    private readonly BlobCopyOptions _options;
    private readonly RetrySettings _budget;
    private readonly RetryBackoff _backoff;
    private readonly SharedPartPool _parts;
    private readonly PartHandOut _handOut;
    private readonly UploadSettlement _settlement;

    public BlobCopier(HttpClient http, BlobCopyOptions options, RetrySettings budget, RetryBackoff backoff, SharedPartPool parts)
    {
        _http = http;
        _options = options;
        _budget = budget;
        _backoff = backoff;
        _parts = parts;
        _settlement = new UploadSettlement(budget.MaxLayerRestarts);
        _handOut = new PartHandOut(options, backoff.Time, _settlement.WaitsForRestart);
    }

    /// <summary>
    /// Copies the blob into every target; each target's <see cref="BlobCopyTarget.Done"/> ends with its own
    /// outcome, as soon as that destination is done. Destinations that must start the layer over (lost upload
    /// session or position) while the shared download they are fed by runs do so once it has ended, all of them with
    /// one new download (each keeps draining its queue meanwhile, so the others are never held by it; and a sibling
    /// that stands still meanwhile falls behind after <see cref="BlobCopyOptions.FallBehindTimeout"/>, so the restart
    /// is not held for that sibling's calls' timeouts and retries); one that must start over after the download ended
    /// (its last parts, or CompleteLayerUpload) does so at once, with a download of its own; a download whose bytes
    /// fail verification starts over for everyone it fed. Each download holds one of <paramref name="slots"/> (the engine's
    /// blobs in flight) while its sessions open and its bytes flow, and none while it waits for a late session.
    /// </summary>
    public async Task CopyAsync(BlobSource source, BlobToCopy blob, IReadOnlyList<BlobCopyTarget> targets, CopySlots slots, CancellationToken cancellationToken)
    {
        if (blob.Size == 0)
        {
            // Only destinations that lack the layer get here (BatchCheckLayerAvailability found it elsewhere), and
            // none can be given it: say so before opening an upload session that could only end in EmptyUploadException.
            var error = EmptyLayer(blob.Digest);
            foreach (var target in targets)
            {
                target.Fail(error);
            }

            return;
        }

        await AttemptAsync(source, blob, targets, slots, cancellationToken);
    }

    /// <summary>
    /// One upload session per destination, then the shared download for those whose session is open. A destination
    /// whose InitiateLayerUpload is still running <see cref="BlobCopyOptions.FanOutGrace"/> after the first session
    /// opened (a throttled or hung region) does not hold the others: the slot goes back once their parts are sent, and the
    /// late one copies the blob on its own, with its own download and slot, once its session opens. Destinations
    /// that answered different part sizes cannot share parts either; in practice ECR answers one size. Every download
    /// takes its parts from the engine's pool, so the memory bound holds whatever the number of downloads.
    /// </summary>
    private async Task AttemptAsync(BlobSource source, BlobToCopy blob, IReadOnlyList<BlobCopyTarget> targets, CopySlots slots, CancellationToken cancellationToken)
    {
        var uploads = targets.Select(t => new PartUpload(t, blob, _options.PartsInFlight)).ToList();
        var ready = uploads;
        var late = new List<Task>();
        try
        {
            List<Task> finishing;
            using (await slots.TakeAsync(1, cancellationToken))
            {
                var sessions = uploads.Select(u => (Upload: u, Opened: u.InitiateAsync(cancellationToken))).ToList();
                await SessionsOpenedAsync(sessions, cancellationToken);
                // One look at each session: one that opens between two looks must land in one list only.
                var opened = sessions.ToLookup(s => s.Opened.IsCompleted);
                late.AddRange(opened[false].Select(s => LateAsync(source, blob, s.Upload, s.Opened, slots, cancellationToken)));
                ready = [.. opened[true].Select(s => s.Upload)];
                var groups = await Task.WhenAll(ready.Where(u => !u.Failed).GroupBy(u => u.PartSize)
                    .Select(group => CopyGroupAsync(source, blob, group.Key, [.. group], slots, cancellationToken)));
                finishing = [.. groups.SelectMany(g => g)];
            }

            // The CompleteLayerUpload calls, and the restarts of destinations that failed on their own, outside the slot.
            await Task.WhenAll(finishing);
        }
        catch (Exception ex)
        {
            // Cancelled while waiting for a slot; else not expected (each stage records its own failures). No target
            // may be left waiting.
            foreach (var upload in ready)
            {
                upload.Fail(ex);
            }
        }

        late.Add(SettleAsync(source, blob, ready, slots, cancellationToken));
        await Task.WhenAll(late);
    }

    /// <summary>A destination whose session opened after the grace: the blob again, downloaded for it alone.</summary>
    private async Task LateAsync(BlobSource source, BlobToCopy blob, PartUpload upload, Task opened, CopySlots slots, CancellationToken cancellationToken)
    {
        await opened;
        if (!upload.Failed)
        {
            try
            {
                List<Task> finishing;
                using (await slots.TakeAsync(1, cancellationToken))
                {
                    finishing = await CopyGroupAsync(source, blob, upload.PartSize, [upload], slots, cancellationToken);
                }

                await Task.WhenAll(finishing);
            }
            catch (Exception ex)
            {
                upload.Fail(ex);
            }
        }

        await SettleAsync(source, blob, [upload], slots, cancellationToken);
    }

    /// <summary>
    /// Waits until every upload session has opened or failed, or until <see cref="BlobCopyOptions.FanOutGrace"/> has
    /// passed since the first one opened, whichever comes first. InitiateAsync never throws.
    /// </summary>
    private async Task SessionsOpenedAsync(IReadOnlyList<(PartUpload Upload, Task Opened)> sessions, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(sessions.Select(s => s.Opened));
        if (_options.FanOutGrace == Timeout.InfiniteTimeSpan)
        {
            await all;
            return;
        }

        var running = sessions.Select(s => s.Opened).ToList();
        while (running.Count > 0 && !sessions.Any(s => s.Opened.IsCompleted && !s.Upload.Failed))
        {
            running.Remove(await Task.WhenAny(running));
        }

        if (sessions.All(s => s.Opened.IsCompleted))
        {
            return;
        }

        using var graceOver = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(all, Task.Delay(_options.FanOutGrace, _backoff.Time, graceOver.Token));

        // Stops the grace's timer when every session opened first (cancelling it is what ends the Delay's task).
        await graceOver.CancelAsync();
    }

    /// <summary>
    /// UploadLayerPart's <c>partFirstByte</c>..<c>partLastByte</c> are the positions of the part's first and last byte
    /// (botocore's ECR model), both at least 0 (<c>PartSize</c>), so the first part of a layer holds at least one byte;
    /// and CompleteLayerUpload of an upload without parts is <c>EmptyUploadException</c> ("does not contain any layer
    /// parts"). A zero-byte layer (an OCI artifact's empty file, sha256:e3b0c442...)
    /// therefore cannot reach an ECR that lacks it. Permanent: a retry cannot change that.
    /// </summary>
    private static ReplicationException EmptyLayer(string digest) =>
        new(ReplicationErrorCodes.EmptyLayer, $"layer {digest} is 0 bytes and the destination does not hold it: a zero-byte layer cannot be uploaded through the ECR API", isTransient: false);

    /// <summary>
    /// The shared download and the uploads it feeds, until every upload has sent its parts (or left the download); returns
    /// each upload's finish (<see cref="FinishAsync"/>), still running. Each upload completes (CompleteLayerUpload) and
    /// its destination is told as soon as its own parts are in and the blob verified, not once the slowest is done; one
    /// whose parts stand still while another goes on falls behind (<see cref="BlobCopyOptions.FallBehindTimeout"/>), so
    /// that the copy slot, held until the last part is sent, is not held for a hung destination's calls (each attempt up
    /// to the ECR client's 100 s timeout, and retried). The slot is not held for the CompleteLayerUpload calls either: it
    /// bounds downloads and their parts, and a completion holds neither, so a destination whose completion hangs does
    /// not keep the slot from the healthy destinations' next blobs.
    /// </summary>
    private async Task<List<Task>> CopyGroupAsync(BlobSource source, BlobToCopy blob, int partSize, IReadOnlyList<PartUpload> uploads, CopySlots slots, CancellationToken cancellationToken)
    {
        var senders = uploads.Select(u => u.UploadPartsAsync(cancellationToken)).ToArray();
        Exception? downloadError = null;
        var chunk = ArrayPool<byte>.Shared.Rent(ReadChunk);
        try
        {
            using var download = new BlobDownload(_http, ct => GetDownloadUrlAsync(source, blob.Digest, ct), blob.Digest, blob.Size, _options, _backoff, _budget.MaxDownloadResumes, blob.InlineData);
            long position = 0;
            while (uploads.Any(u => !u.Failed))
            {
                var part = await _handOut.RentAsync(_parts, partSize, position, uploads, cancellationToken);
                int filled;
                try
                {
                    filled = await FillAsync(download, part, chunk, cancellationToken);
                }
                catch
                {
                    part.Release();
                    throw;
                }

                if (filled == 0)
                {
                    part.Release();
                    download.Verify();
                    break;
                }

                position += filled;
                await _handOut.HandOutAsync(part, uploads, cancellationToken);
                if (position >= blob.Size)
                {
                    // Every declared byte is in: a read at the end only checks that nothing follows (no part rented for it).
                    await download.FillAsync(chunk.AsMemory(0, 1), cancellationToken);
                    download.Verify();
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            downloadError = ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
            foreach (var upload in uploads)
            {
                if (downloadError is not null)
                {
                    // No upload of this download can be published now: each stops at once (its call on the wire too),
                    // rather than send its queued parts and hold every outcome until a hung destination's call ends.
                    upload.Abandon(downloadError);
                }

                upload.Parts.Writer.TryComplete(downloadError);
            }
        }

        // The uploads that lost their session or position while the download ran (sessions that expired together, in a
        // copy slowed past their life) start the layer over together, with one download for all of them, as after a
        // download whose bytes failed verification (AttemptAsync). Only those known now: waiting to learn whether a
        // sibling still sending its last parts fails too would hold these restarts behind that sibling's calls.
        int[] together = downloadError is null ? [.. Enumerable.Range(0, uploads.Count).Where(i => _settlement.WaitsForRestart(uploads[i]))] : [];
        var finishing = Enumerable.Range(0, uploads.Count).Where(i => !together.Contains(i))
            .Select(i => FinishAsync(source, blob, uploads[i], senders[i], downloadError, slots, cancellationToken)).ToList();
        if (together.Length > 0)
        {
            finishing.Add(RestartTogetherAsync(source, blob, [.. together.Select(i => uploads[i])], [.. together.Select(i => senders[i])], slots, cancellationToken));
        }

        if (downloadError is null && uploads.Count > 1 && _handOut.Watches)
        {
            await _handOut.WatchTheLastPartsAsync(uploads, senders, cancellationToken);
        }

        await Task.WhenAll(senders);
        return finishing;
    }

    /// <summary>
    /// The uploads that lost their session or position while their download ran, restarted with one new download once
    /// each has given back what its queue still held (the download has completed their queues: that is at once).
    /// </summary>
    private async Task RestartTogetherAsync(BlobSource source, BlobToCopy blob, IReadOnlyList<PartUpload> uploads, Task[] senders, CopySlots slots, CancellationToken cancellationToken)
    {
        await Task.WhenAll(senders);
        await SettleAsync(source, blob, uploads, slots, cancellationToken);
    }

    /// <summary>
    /// One upload, once its parts are in: published when the download verified the blob, and its destination told; or,
    /// failed on its own, settled at once (restarted when a restart can help), not once its slowest sibling is done.
    /// </summary>
    private async Task FinishAsync(BlobSource source, BlobToCopy blob, PartUpload upload, Task sender, Exception? downloadError, CopySlots slots, CancellationToken cancellationToken)
    {
        await sender;
        if (downloadError is not null)
        {
            // Settled with every upload the download fed (AttemptAsync): their restart is one download for all of them.
            upload.Fail(downloadError);
            return;
        }

        if (await upload.CompleteAsync(cancellationToken))
        {
            // At once, and on what CompleteLayerUpload said: a fall-behind decided while it was under way fails the
            // upload afterwards, but the layer is published, and the target keeps this first outcome.
            upload.Target.Succeed(upload.Uploaded);
            return;
        }

        // Failed for good, or lost its session after the download ended (its last parts, or CompleteLayerUpload): told,
        // or restarted with a download of its own, at once. A sibling's CompleteLayerUpload may still be under way, and
        // hang: this destination's restart does not wait for it.
        await SettleAsync(source, blob, [upload], slots, cancellationToken);
    }

    /// <summary>
    /// Tells each upload not settled yet its outcome (<see cref="UploadSettlement.Settle"/>), and starts the layer over,
    /// with one download for all of them, in those a restart can help.
    /// </summary>
    private async Task SettleAsync(BlobSource source, BlobToCopy blob, IReadOnlyList<PartUpload> uploads, CopySlots slots, CancellationToken cancellationToken)
    {
        var restarts = _settlement.Settle(uploads, cancellationToken);
        if (restarts.Count > 0)
        {
            await AttemptAsync(source, blob, restarts, slots, cancellationToken);
        }
    }

    /// <summary>
    /// Reads the part's bytes through the small <paramref name="chunk"/> (hashed for the digest by the download),
    /// encoding each piece onto the part as it arrives. Returns the part's raw length, 0 at the end of the blob.
    /// </summary>
    private static async Task<int> FillAsync(BlobDownload download, SharedPart part, byte[] chunk, CancellationToken cancellationToken)
    {
        while (part.Length < part.PartSize)
        {
            var wanted = Math.Min(ReadChunk, part.PartSize - part.Length);
            var read = await download.FillAsync(chunk.AsMemory(0, wanted), cancellationToken);

            // A piece short of what was asked ends the blob, one that fills the part ends the part; every other
            // piece is ReadChunk bytes, a multiple of 3, so the part's base64 is the pieces' base64 joined.
            var final = read < wanted || part.Length + read == part.PartSize;
            part.Append(chunk.AsSpan(0, read), final);
            if (final)
            {
                break;
            }
        }

        part.Seal();
        return part.Length;
    }

    private static async Task<Uri> GetDownloadUrlAsync(BlobSource source, string digest, CancellationToken cancellationToken)
    {
        var response = await source.Client.GetDownloadUrlForLayerAsync(
            new GetDownloadUrlForLayerRequest { RegistryId = source.RegistryId, RepositoryName = source.Repository, LayerDigest = digest }, cancellationToken);
        return new Uri(response.DownloadUrl ?? throw new ReplicationException(ReplicationErrorCodes.DownloadFailed, $"layer {digest}: ECR returned no download URL", isTransient: true));
    }
}
