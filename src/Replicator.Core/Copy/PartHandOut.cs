using Replicator.Core.Errors;

namespace Replicator.Core.Copy;

/// <summary>
/// How a shared download's parts reach the uploads it feeds, and when one of them falls behind
/// (<see cref="BlobCopyOptions.FallBehindTimeout"/>): while the download hands a part to a full queue, and after the
/// download, while the last parts are sent. An upload falls behind only where another keeps up, so a hung destination
/// holds the others back for one timeout at most, and never holds a lone destination to a limit. An upload that failed
/// and waits to start the layer over counts as one that keeps up: its restart begins only once the shared download
/// and its uploads have ended, so a hung sibling would otherwise hold it for that sibling's calls' timeouts and retries.
/// </summary>
internal sealed class PartHandOut
{
    private readonly BlobCopyOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<PartUpload, bool> _waitsForRestart;

    /// <param name="waitsForRestart">Whether a failed upload will start the layer over once this download has ended.</param>
    public PartHandOut(BlobCopyOptions options, TimeProvider time, Func<PartUpload, bool>? waitsForRestart = null)
    {
        _options = options;
        _time = time;
        _waitsForRestart = waitsForRestart ?? (static _ => false);
    }

    /// <summary>Whether uploads may fall behind at all (<see cref="Timeout.InfiniteTimeSpan"/> turns it off).</summary>
    public bool Watches => _options.FallBehindTimeout != Timeout.InfiniteTimeSpan;

    /// <summary>
    /// The download's next part from the engine's pool. The pool holds (PartsInFlight + 1) parts per copy slot, and an
    /// upload that stands still holds that many of its blob (its part on the wire, its full queue), so the download can
    /// wait here rather than at that upload's queue: where it waits a whole <see cref="BlobCopyOptions.FallBehindTimeout"/>,
    /// each upload that took no part in it while parts wait in its queue, or while its call holds one on the wire, falls
    /// behind as at a full queue (its queued parts and, once its call is cancelled, the part on the wire go back to the
    /// pool), when another upload keeps up.
    /// </summary>
    public async Task<SharedPart> RentAsync(SharedPartPool pool, int partSize, long start, IReadOnlyList<PartUpload> uploads, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renting = pool.RentAsync(partSize, start, stop.Token);
        if (renting.IsCompleted || !Watches || uploads.Count < 2)
        {
            return await renting;
        }

        while (true)
        {
            var takenBefore = uploads.Select(u => u.Taken).ToArray();
            try
            {
                return await renting.WaitAsync(_options.FallBehindTimeout, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Stuck: it holds parts of the pool (queued, or its call's on the wire) and took none for a whole period. Its
                // queue may be empty: where another blob holds the rest of the pool, the part its hung call holds is the
                // one the download waits for.
                var stuck = uploads.Where((u, j) => !u.Failed && u.Taken == takenBefore[j] && (u.Parts.Reader.Count > 0 || u.Sending)).ToList();
                var othersKeepUp = uploads.Where((u, j) => !u.Failed && !stuck.Contains(u) && (u.Taken != takenBefore[j] || (u.Parts.Reader.Count == 0 && !u.Sending))).Any()
                    || uploads.Any(_waitsForRestart);
                if (othersKeepUp)
                {
                    foreach (var upload in stuck)
                    {
                        upload.Abandon(FellBehind(start));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The request's: a part the pool handed over just as it fired goes back.
                await stop.CancelAsync();
                try
                {
                    (await renting).Release();
                }
                catch (OperationCanceledException)
                {
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Gives the part to every upload still going; waits while the slowest one's queue is full, but not past
    /// <see cref="BlobCopyOptions.FallBehindTimeout"/> when another upload of the blob goes on: that one falls behind.
    /// </summary>
    public async Task HandOutAsync(SharedPart part, IReadOnlyList<PartUpload> uploads, CancellationToken cancellationToken)
    {
        var live = uploads.Where(u => !u.Failed).ToList();
        part.AddReferences(live.Count);
        part.Release();
        for (var i = 0; i < live.Count; i++)
        {
            try
            {
                var writer = live[i].Parts.Writer;
                if (writer.TryWrite(part))
                {
                    continue;
                }

                if (!Watches || (!live.Any(u => u != live[i] && !u.Failed) && !uploads.Any(_waitsForRestart)))
                {
                    // Nobody else to hold back: waiting is all there is.
                    await writer.TryWriteWithinAsync(part, Timeout.InfiniteTimeSpan, _time, cancellationToken);
                    continue;
                }

                await WriteOrFallBehindAsync(part, uploads, live, i, cancellationToken);
            }
            catch
            {
                // This reference and those of the uploads not reached yet go back now.
                for (var j = i; j < live.Count; j++)
                {
                    part.Release();
                }

                throw;
            }
        }
    }

    /// <summary>
    /// Writes the part into <paramref name="live"/>[<paramref name="index"/>]'s full queue, in periods of
    /// <see cref="BlobCopyOptions.FallBehindTimeout"/>. At the end of a period the upload falls behind (the part's
    /// reference for it goes back, and it leaves the download) only if another live upload keeps up: it took a part
    /// during the period, or waits for one with an empty queue and no call on the wire, or failed and waits for this
    /// download to end to start the layer over. Where none does (every destination slow alike, or the others failed for
    /// good meanwhile), nobody is held back by it, and it waits another period.
    /// </summary>
    private async Task WriteOrFallBehindAsync(SharedPart part, IReadOnlyList<PartUpload> uploads, IReadOnlyList<PartUpload> live, int index, CancellationToken cancellationToken)
    {
        var upload = live[index];
        while (true)
        {
            var takenBefore = live.Select(u => u.Taken).ToArray();
            if (await upload.Parts.Writer.TryWriteWithinAsync(part, _options.FallBehindTimeout, _time, cancellationToken))
            {
                return;
            }

            // Waiting with an empty queue, not with its own call hung on the last part it took.
            var othersKeepUp = live.Where((u, j) => j != index && !u.Failed && (u.Taken != takenBefore[j] || (u.Parts.Reader.Count == 0 && !u.Sending))).Any()
                || uploads.Any(_waitsForRestart);
            if (othersKeepUp)
            {
                // Out of the download first, then this reference back: should leaving throw, the caller gives back
                // this reference once, with those not handed out yet. The part is not in the upload's queue: the
                // write timed out, and ChannelWaits is exact about that.
                upload.Abandon(FellBehind(part.Start));
                part.Release();
                return;
            }
        }
    }

    private ReplicationException FellBehind(long position) =>
        new(
            ReplicationErrorCodes.DestinationFellBehind,
            $"the destination's upload of the layer stood still for {_options.FallBehindTimeout.TotalSeconds:0.#} s at byte {position} "
            + "while the other destinations went on (its UploadLayerPart slow or hung); retried on its own, after the others hold the image",
            isTransient: true);

    /// <summary>
    /// After the download: once one upload has sent all its parts (or failed and waits to start the layer over), each of
    /// the others falls behind when it takes no part for a whole <see cref="BlobCopyOptions.FallBehindTimeout"/>: a
    /// destination whose last part hangs must not keep the blob's copy slot and parts from the healthy ones' next blobs,
    /// nor a sibling's restart from beginning.
    /// </summary>
    public async Task WatchTheLastPartsAsync(IReadOnlyList<PartUpload> uploads, Task[] senders, CancellationToken cancellationToken)
    {
        var running = senders.ToList();
        while (running.Count > 0)
        {
            var done = await Task.WhenAny(running);
            running.Remove(done);
            var upload = uploads[Array.IndexOf(senders, done)];
            if (!upload.Failed || _waitsForRestart(upload))
            {
                break;
            }
        }

        // In periods, as the download's waits: only an upload that took no part in a whole period stands still.
        while (running.Count > 0)
        {
            var takenBefore = uploads.Select(u => u.Taken).ToArray();
            try
            {
                await Task.WhenAll(running).WaitAsync(_options.FallBehindTimeout, _time, cancellationToken);
                return;
            }
            catch (TimeoutException)
            {
                for (var i = 0; i < uploads.Count; i++)
                {
                    if (!senders[i].IsCompleted && !uploads[i].Failed && uploads[i].Taken == takenBefore[i])
                    {
                        uploads[i].Abandon(FellBehind(uploads[i].Uploaded));
                    }
                }

                running.RemoveAll(sender => sender.IsCompleted || uploads[Array.IndexOf(senders, sender)].Failed);
            }
            catch (OperationCanceledException)
            {
                // The request's: every upload ends on it too.
                return;
            }
        }
    }
}
