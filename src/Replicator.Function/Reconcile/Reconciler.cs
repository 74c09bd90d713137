using Replicator.Core.Planning;
using Replicator.Core.Reconciliation;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;

namespace Replicator.Function.Reconcile;

/// <summary>
/// Heals what push events missed: walks the selected repositories (<see cref="DriftScanner"/>), and for every tag and
/// referrer a destination lacks or holds at another digest sends the PUSH event ECR would have sent (a DELETE for a
/// tag the source no longer has, when deletes are replicated) to the replication FIFO queue, in the repository's
/// message group. The function then replicates it like any push. A tag a destination holds at another digest where it
/// is immutable is not sent (PutImage would refuse it on every pass) but reported (<see cref="ReconcileReport.Conflicts"/>).
/// Powers the scheduled reconcile and <c>replicator sync --enqueue</c>.
/// <para>
/// Bounded: no repository or digest is started at or after <see cref="ReconcileRun.StopAt"/>, and a repository's
/// listing or a digest's referrer walk in flight stops at its next page once it is reached; the place reached (the
/// last finished unit) is saved in the <see cref="IReconcileCursorStore"/> and the next run resumes there (digests in
/// ordinal order, so a resumed walk skips exactly what was done). The same holds when the invocation's token is
/// cancelled first (a unit outlasting the margin): the run still sends what it found, saves the cursor and reports,
/// so every run makes progress.
/// </para>
/// <para>
/// Messages are sent before the cursor moves past them. A batch that cannot be sent at all (the SDK's retries spent)
/// ends the run: the cursor is saved at the unit of its first message, so the next run finds that drift again, and
/// the failure is the run's, never the repository's being walked. An entry SQS refuses on its own (after one more
/// try when the fault was SQS's) is reported and passed: the next pass finds it again.
/// </para>
/// <para>
/// The cursor carries the fingerprint of the settings that decide drift (<see cref="ReconcileSettings"/>). A run that
/// finds one saved under other settings, or by an earlier version that saved none, starts a new pass and says why
/// (<see cref="ReconcileReport.NewPassReason"/>): resuming would leave the repositories before the cursor compared
/// under the old settings until the pass after (a destination added mid-pass would wait up to two passes).
/// </para>
/// </summary>
/// <param name="settings">The settings <paramref name="scanner"/> finds drift under; null: <see cref="ReconcileSettings.Unnamed"/>.</param>
public sealed class Reconciler(DriftScanner scanner, IMessageSender sender, TimeProvider time, IReconcileCursorStore? cursorStore = null, ReconcileSettings? settings = null)
{
    private readonly ReconcileSettings _settings = settings ?? ReconcileSettings.Unnamed;
    private readonly DriftSender _drift = new(sender);

    /// <summary>SendMessageBatch takes at most 10 entries (SQS API reference).</summary>
    public const int BatchSize = 10;

    /// <summary>
    /// How long the last send may take once the invocation's token is cancelled: Lambda's deadline is then a moment
    /// away (the runtime loop keeps half a second back to post the response).
    /// </summary>
    public static readonly TimeSpan FinalSendTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long the cursor's save may take once the invocation's token is cancelled, counted after the last send: its
    /// own time, so a send that used all of <see cref="FinalSendTimeout"/> does not leave the save a cancelled token
    /// (the next run would then walk again what this one queued).
    /// </summary>
    public static readonly TimeSpan FinalSaveTimeout = TimeSpan.FromMilliseconds(200);

    public async Task<ReconcileReport> RunAsync(ReconcileRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        string? stored;
        try
        {
            stored = cursorStore is null ? null : await cursorStore.LoadAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cursor could not be read (GetParameter throttled or refused): nothing compared, and nothing saved,
            // which would overwrite the stored place with a guess. A failure of the run (ReconcileFailures and its
            // alarm), as for the registry's listing; thrown, it ended the invocation without the run's metrics.
            var unread = new ReconcileRunState(run);
            unread.Failures.Add(new ReconcileFailure(null, null, $"(cursor): {ex.GetType().Name}: {ex.Message}"));
            return unread.Report(completed: false, null, null);
        }

        var (cursor, newPass) = cursorStore is null ? (null, null) : Resume(stored);
        var state = new ReconcileRunState(run) { NewPassReason = newPass };

        // One per run: the source account for ACCOUNT:REGION destinations, and the destinations whose credentials
        // failed, which the rest of the run skips (one failed STS call a run, not one a repository).
        var scanRun = new DriftScanRun(run.Region, run.Account);
        IReadOnlyList<string> repositories;
        try
        {
            repositories = ReconcileCursor.Remaining(await scanner.RepositoriesAsync(cancellationToken), cursor);
        }
        catch (OperationCanceledException ex) when (ex is ScanStoppedException || cancellationToken.IsCancellationRequested)
        {
            // Stopped while listing the registry: nothing compared, and the next run starts where this one would have
            // (the cursor as loaded). Reported as a stop, not as a pass that found nothing.
            return await FinishAsync(state, cursor, cancellationToken, interrupted: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The registry could not be listed (access denied, throttling past the retries): nothing compared, so a
            // failure of the run (ReconcileFailures and its alarm, as for a repository), and the cursor kept as
            // loaded. Thrown, it ended the invocation without the run's metrics.
            state.Failures.Add(new ReconcileFailure(null, null, $"(registry): DescribeRepositories: {ex.GetType().Name}: {ex.Message}"));
            return await FinishAsync(state, cursor, cancellationToken, interrupted: true);
        }

        ReconcileCursor? stop = null;
        foreach (var repository in repositories)
        {
            string? done = cursor?.InsideOf(repository) == true ? cursor.AfterDigest : null;
            if (ShouldStop(run))
            {
                stop = new ReconcileCursor(repository, done);
                break;
            }

            // Images of this repository whose referrers the source would not list (the first refusal tells why): one
            // failure for the repository, whose other digests are still compared.
            var unlistedImages = 0;
            UnlistedReferrers? unlisted = null;
            try
            {
                var scan = await scanner.ScanAsync(repository, scanRun, () => ShouldStop(run), cancellationToken);
                if (scan is null)
                {
                    continue;
                }

                state.Repositories++;

                // A destination that could not be listed is compared no further; the others' drift is still sent.
                state.Failures.AddRange(scan.FailedDestinations.Select(f => new ReconcileFailure(repository, f.Destination, f.Describe(repository))));

                // A tag the filter could not decide in time is left out, and the repository's other tags compared.
                state.TagFilterTimeouts.AddRange(scan.TagFilterTimeouts);
                foreach (var digest in scan.Digests)
                {
                    if (cursor?.Done(repository, digest) == true)
                    {
                        continue;
                    }

                    if (state.FirstUnsent is not null)
                    {
                        break;
                    }

                    if (ShouldStop(run))
                    {
                        stop = new ReconcileCursor(repository, done);
                        break;
                    }

                    var drift = await scanner.DigestDriftAsync(scan, scanRun, digest, () => ShouldStop(run), cancellationToken);
                    state.Conflicts.AddRange(drift.Conflicts);
                    if (drift.ReferrersUnlisted is { } refused)
                    {
                        unlistedImages++;
                        unlisted ??= refused;
                    }

                    await _drift.AddAsync(state, drift.Items, scan, new ReconcileCursor(repository, done), cancellationToken);
                    done = digest;
                }

                if (stop is null && state.FirstUnsent is null)
                {
                    // The deletes last, once every digest is done: ECR's own events of a tag renamed in the source come
                    // PUSH (the new tag) then DELETE (the old one), and in this order the destination image keeps a tag
                    // throughout. Sent first, the DELETE removed the image's last tag there, which deletes the image
                    // (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_BatchDeleteImage.html), until the
                    // PUSH copied it again. Their unit is the repository's end: a run that stops before it leaves the
                    // cursor inside the repository, and the run that finishes the repository sends them.
                    var deleted = scanner.DeletedTags(scan, out var timedOut);
                    state.TagFilterTimeouts.AddRange(timedOut);
                    if (deleted.Count > 0)
                    {
                        // In a batch of their own, once the PUSHes before them are queued: SQS answers a batch entry
                        // by entry, so a PUSH it failed on its side beside a DELETE it queued is sent again after that
                        // DELETE (SqsMessageSender), or left for the next run when the stop cuts its resend short,
                        // and the DELETE came first again. A PUSH the stop or a failed send kept from the queue
                        // (FirstUnsent) keeps them for the run that sends it.
                        await _drift.FlushAsync(state, all: true, cancellationToken);
                        if (state.FirstUnsent is null)
                        {
                            await _drift.AddAsync(state, deleted, scan, new ReconcileCursor(repository, done), cancellationToken);
                        }
                    }
                }
            }
            catch (OperationCanceledException ex) when (ex is ScanStoppedException || cancellationToken.IsCancellationRequested)
            {
                // The stop time (or the invocation's deadline) came inside a unit: it is left for the next run, which
                // resumes after the last finished one. Without this the run would end with nothing saved, and every
                // run would start over at the same place.
                stop = new ReconcileCursor(repository, done);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One repository whose source cannot be read (a repository policy, the retries spent) must not stop
                // the pass at it on every run: it is reported, and the next pass tries it again. A destination's
                // failure is not one (the scan reports it and goes on). Sends never throw here (DriftSender.FlushAsync
                // keeps their failures apart), so this is the repository's own failure.
                state.Failures.Add(new ReconcileFailure(repository, null, $"{repository}: {ex.GetType().Name}: {ex.Message}"));
            }

            if (unlisted is not null)
            {
                state.Failures.Add(new ReconcileFailure(repository, null, UnlistedFailure(repository, unlistedImages, unlisted)));
            }

            if (stop is not null || state.FirstUnsent is not null)
            {
                break;
            }
        }

        return await FinishAsync(state, stop, cancellationToken);
    }

    /// <summary>
    /// The failure line of a repository whose source would not list the referrers of some images: counted in
    /// ReconcileFailures like a repository that cannot be read, since those referrers were not compared.
    /// </summary>
    private static string UnlistedFailure(string repository, int images, UnlistedReferrers first) =>
        $"{repository}: the referrers of {images} image(s), which the source would not list ({first.Reason}), were not compared; their tags were";

    private bool ShouldStop(ReconcileRun run) => run.StopAt is { } stopAt && time.GetUtcNow() >= stopAt;

    /// <summary>
    /// Where this run starts: the stored cursor when it was saved under this run's settings, else the first repository,
    /// with the reason it does not resume (null when the stored value says to start a pass, or there is none).
    /// </summary>
    private (ReconcileCursor? Cursor, string? NewPassReason) Resume(string? stored)
    {
        var cursor = ReconcileCursor.Parse(stored, out var savedUnder);
        if (cursor is null)
        {
            // A value that is not a cursor (edited by hand) starts a pass over, which only costs time; not quoted, as a
            // value nobody meant for a log line.
            return (null, string.IsNullOrWhiteSpace(stored) || stored.Trim() == ReconcileCursor.StartValue ? null : "the stored value is not a cursor");
        }

        // A cursor of the earlier form says nothing of its settings, and the deployment that brought this version may
        // have changed them too: one new pass, at the cost of reading again what the interrupted pass had read.
        if (savedUnder is null)
        {
            return (null, $"the cursor {cursor.Format()} was saved by an earlier version, without the settings it was taken under");
        }

        return savedUnder == _settings.Fingerprint
            ? (cursor, null)
            : (null, $"the settings that decide drift (destinations, REPOSITORY_FILTER, TAG_FILTER, REPOSITORY_MAPPING or REPLICATE_DELETES) changed since the cursor {cursor.Format()} was saved");
    }

    /// <summary>
    /// Sends what is left, then saves where the next run starts: the unit of the first message not sent when a send
    /// failed (the cursor never passes a message that was not queued), else where the run stopped, else a new pass.
    /// When the invocation's token is cancelled, the send and then the save each get a short token of their own
    /// (<see cref="FinalSendTimeout"/>, <see cref="FinalSaveTimeout"/>), so the work done is not lost with it. Neither
    /// throws: a failure is reported.
    /// </summary>
    private async Task<ReconcileReport> FinishAsync(ReconcileRunState state, ReconcileCursor? stop, CancellationToken cancellationToken, bool interrupted = false)
    {
        using (var final = Final(FinalSendTimeout))
        {
            await _drift.FlushAsync(state, all: true, final?.Token ?? cancellationToken);
        }

        var next = state.FirstUnsent ?? stop;
        string? cursorFailure = null;
        if (cursorStore is not null)
        {
            // Checked again: the token may have been cancelled while the last batch went out.
            using var final = Final(FinalSaveTimeout);
            try
            {
                await cursorStore.SaveAsync(next?.Format(_settings) ?? ReconcileCursor.StartValue, final?.Token ?? cancellationToken);
            }
            catch (Exception ex)
            {
                cursorFailure = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        return state.Report(completed: next is null && !interrupted, next, cursorFailure);

        CancellationTokenSource? Final(TimeSpan timeout) =>
            cancellationToken.IsCancellationRequested ? new CancellationTokenSource(timeout, time) : null;
    }
}
