using System.Runtime.ExceptionServices;
using Replicator.Cli.Composition;
using Replicator.Cli.Inventory;
using Replicator.Cli.Output;
using Replicator.Cli.Selection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Reconciliation;
using Replicator.Core.Validation;
using Replicator.Function.Enqueue;
using Replicator.Function.Events;
using Replicator.Function.Reconcile;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>sync --enqueue</c>: the function's reconciler, run once from the operator's machine. It compares the selected
/// source images with the given destinations and sends the PUSH event of each tag and referrer a destination lacks
/// or holds at another digest (never a DELETE). <c>--all</c> sends one event per selected tag whatever the
/// destinations hold (a full re-sync, as before drift finding). Sent in batches of 10 (SQS's batch limit).
/// </summary>
public static class Enqueuer
{
    /// <summary>SendMessageBatch takes at most 10 entries (SQS API reference).</summary>
    public const int BatchSize = Reconciler.BatchSize;

    /// <summary>Drift only: the same <see cref="DriftScanner"/> and <see cref="Reconciler"/> as the scheduled reconcile, without deadline or cursor.</summary>
    public static async Task<int> EnqueueDriftAsync(
        IMessageSender sender,
        CliConsole console,
        CliServices services,
        SelectionCriteria criteria,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(time);
        var selection = new DriftSelection
        {
            Repositories = criteria.Repositories,
            IncludeRepository = criteria.IncludesRepository,
            IncludeTag = criteria.IncludesTag,
            IncludeImage = criteria.Since is null ? null : criteria.IncludesImage,
        };
        var source = services.Clients.GetClient(criteria.SourceRegion);
        try
        {
            await ImageInventory.RequireNamedAsync(source, criteria, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C before the comparison began: the same report as a cancellation during it.
            console.Error("cancelled after 0 repositories compared; 0 message(s) queued");
            return ExitCodes.Cancelled;
        }

        var scanner = new DriftScanner(source, services.Destinations, criteria.Destinations, criteria.Mapping, selection);

        var run = new ReconcileRun { Region = criteria.SourceRegion, Time = time.GetUtcNow(), RunId = SyncRunId() };
        var report = await new Reconciler(scanner, sender, time).RunAsync(run, cancellationToken);

        // The reconciler takes a cancellation as a stop (it sends what it found and reports where it stopped, which the
        // scheduled pass resumes from); here nothing resumes, so the run is reported as cancelled, with the same exit
        // code as the other commands' Ctrl+C, and not as a pass that found nothing more.
        var cancelled = !report.Completed && cancellationToken.IsCancellationRequested;
        if (!cancelled && report.Repositories == 0 && report.FailureCount == 0 && report.SendError is null)
        {
            throw ImageInventory.NoRepository(criteria, "sync");
        }

        foreach (var item in report.Drift)
        {
            console.Line($"{item.Kind}: {item.Repository}{(item.Tag is null ? "@" + item.Digest : ":" + item.Tag)} in {string.Join(", ", item.Destinations)}");
        }

        foreach (var conflict in report.Conflicts)
        {
            console.Error($"not enqueued: {conflict.Destination} holds {conflict.DestinationRepository}:{conflict.Tag} at {conflict.DestinationDigest} and the tag is immutable there (delete it there, or leave it out of the tag filter)");
        }

        foreach (var failure in report.Failures)
        {
            console.Error($"skipped {failure}");
        }

        foreach (var timeout in report.TagFilterTimeouts)
        {
            // The direct sync stops at such a tag (CliApp); here the reconciler left it out and compared the rest, so
            // the tag is named and the exit code says drift may be left.
            console.Error($"skipped {timeout.Repository}:{timeout.Tag}: --tag-filter took longer than {timeout.MatchTimeout.TotalMilliseconds:0} ms on tag {EcrNames.Quote(timeout.Tag)}; simplify the pattern");
        }

        if (cancelled)
        {
            console.Error($"cancelled after {report.Repositories} repositories compared; {report.DriftEnqueued} message(s) queued");
            return ExitCodes.Cancelled;
        }

        console.Line($"{report.Repositories} repositories compared with {string.Join(", ", criteria.Destinations)}: {report.DriftFound} drift found");
        if (report.SendError is { } error)
        {
            // The queue failed as a whole (it does not exist, access denied): the run stopped there, and the error
            // ends the command as any other that stops it before it could decide.
            console.Line($"{report.DriftEnqueued} message(s) queued before the queue failed, at {report.Cursor?.Format()}");
            ExceptionDispatchInfo.Throw(error);
        }

        // A conflict is drift left in place, as a failure is: the destination still differs from the source.
        var exit = Report(console, report.DriftEnqueued, [.. report.Refusals.Select(r => r.Describe())]);
        return report.FailureCount > 0 || report.Conflicts.Count > 0 ? ExitCodes.Failed : exit;
    }

    /// <summary>
    /// <c>--all</c>: one tagged PUSH event per selected image, whatever the destinations hold, sent in batches of
    /// <see cref="BatchSize"/> as the repositories are listed, so the run holds one repository's listing and one batch.
    /// </summary>
    public static async Task<int> EnqueueAllAsync(
        IMessageSender sender,
        CliConsole console,
        SelectionCriteria criteria,
        IAsyncEnumerable<SourceRepository> repositories,
        DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(repositories);
        // An id of this run in every deduplication id, as for the drift run (SyncRunId).
        var runId = SyncRunId();
        var failures = new List<string>();
        var sent = 0;
        var batch = new List<(SelectedImage Image, QueueMessage Message)>(BatchSize);

        // Taken out of the batch before it is sent: a send that fails as a whole is not sent again below.
        async Task SendAsync()
        {
            var sending = batch.ToArray();
            batch.Clear();
            var failed = await sender.SendBatchAsync([.. sending.Select(b => b.Message)], cancellationToken);
            // An entry whose resend the operator's Ctrl+C cut short (MessageRefusal.Cancelled) is neither queued nor
            // refused by SQS: not counted as refused, and the run then ends as cancelled, as it would had the stop
            // come a moment later; counted as refused, the last batch's ended the run "refused" with exit 1.
            failures.AddRange(failed.Where(f => !f.Cancelled).Select(f => $"PUSH event of {Name(sending[f.Index].Image)}: {f}"));
            sent += sending.Length - failed.Count;
            // Progress, on stderr as a retry's notice is: stdout holds the results (the closing count), so a script
            // that reads them from a redirect or a pipe gets no line per batch of ten.
            console.Notice($"sent {sent} message(s), {failures.Count} refused");
            if (failed.Any(f => f.Cancelled))
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        // Set once the first repository is handed on: before that only the selection was read (a --repository the
        // source lacks, a selection that matches nothing, as RequireNamedAsync and NoRepository refuse them), and an
        // error there ends the command before anything is sent or counted, as in the drift run.
        var listed = false;
        try
        {
            await foreach (var repository in repositories.WithCancellation(cancellationToken))
            {
                listed = true;
                Selected(console, criteria, repository, "the function's destinations");
                foreach (var image in repository.Images)
                {
                    var registryId = repository.RegistryId ?? throw new UsageException($"the source did not report the account of {repository.Name}");
                    var message = EventFactory.Message(EventFactory.Push(registryId, criteria.SourceRegion, image.Repository, image.Digest, image.Tag, now), runId);
                    batch.Add((image, message with { Sender = SenderAttribute.Sync }));
                    if (batch.Count == BatchSize)
                    {
                        await SendAsync();
                    }
                }
            }

            // Inside the try: the last batch failing is reported with the count of those sent before it, as any other.
            if (batch.Count > 0)
            {
                await SendAsync();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: nothing more is sent (the batch being filled included), and the messages SQS already took are
            // counted, as the drift run and sync report how far they got, with the same exit code.
            foreach (var failure in failures)
            {
                console.Error(failure);
            }

            console.Error($"cancelled after {sent} message(s) queued, {failures.Count} refused");
            return ExitCodes.Cancelled;
        }
        catch (Exception) when (listed)
        {
            // A repository's listing failed midway, or the queue failed: what was selected before it is still sent
            // (a batch that failed as a whole was taken out before its send, so is not sent again), and the messages
            // sent and refused are counted, before the error ends the command.
            if (batch.Count > 0)
            {
                await SendAsync();
            }

            Report(console, sent, failures, stopped: true);
            throw;
        }

        return Report(console, sent, failures);
    }

    /// <summary>The line that says what a repository's listing selected, before its images are copied or queued.</summary>
    public static void Selected(CliConsole console, SelectionCriteria criteria, SourceRepository repository, string targets)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(criteria);
        ArgumentNullException.ThrowIfNull(repository);
        console.Line($"{repository.Images.Count} image tag(s) selected in {repository.Name} ({criteria.SourceRegion}) for {targets}{(repository.InactiveSummary is { } inactive ? "; " + inactive : string.Empty)}");
    }

    /// <summary>
    /// An id of one run, joined into each message's deduplication id. SQS drops a message whose id it saw in the last
    /// five minutes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html):
    /// a retried send inside the run is dropped, but a run again after a fix (a copy dead-lettered seconds after the
    /// first run) must queue its heals, not have them dropped while the command reports them queued. A run repeated by
    /// mistake queues copies that find the images there.
    /// </summary>
    private static string SyncRunId() => "sync-" + Guid.NewGuid().ToString("N");

    private static string Name(SelectedImage image) => $"{image.Repository}:{image.Tag} ({image.Digest})";

    // Stopped: an error ends the command next, so the line says how far it got (as the drift mode's "queued before the
    // queue failed"), not that the function now replicates what was selected.
    private static int Report(CliConsole console, int sent, IReadOnlyList<string> failures, bool stopped = false)
    {
        foreach (var failure in failures)
        {
            console.Error(failure);
        }

        console.Line(stopped
            ? $"{sent} message(s) queued, {failures.Count} refused before the run stopped"
            : $"{sent} message(s) queued, {failures.Count} refused; the function replicates them to its configured destinations");
        return failures.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }
}
