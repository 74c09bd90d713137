using System.Runtime.ExceptionServices;
using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Spectre.Console;

namespace Replicator.Cli.Commands;

/// <summary>
/// <c>sync --dry-run</c>: the planner's verdict per image and destination, from reads only. A destination the mapping
/// gives an invalid name is a row with the reason, and the plan goes on with the other images, as <c>sync</c> fails
/// only that destination and <c>verify</c> reports it unreadable; the exit code is then 1, as the copy's would be. So is a
/// destination whose repository keeps the image's tag immutable at another digest: the copy would upload the image and
/// then fail with ImmutableTagConflict, so its row names that instead of "copy". And so is a destination without the
/// repository where the copy could not create it (a KMS-encrypted source without a DESTINATION_KMS_KEYS entry for it:
/// KmsKeyNotConfigured), which the row names instead of "create repository, copy"; and an image a platform manifest of
/// which is being restored from the archive (SourceImageActivating), which sync fails until it is ACTIVE.
/// </summary>
public static class DryRun
{
    /// <param name="previewer">Plans one image; safe to call for several images at once.</param>
    /// <param name="console">Where the tables and the closing line go.</param>
    /// <param name="repositories">The requests of one repository after another, each repository's read when the
    /// table of the one before it has been written.</param>
    /// <param name="parallel">Images planned at once (sync's <c>--parallel</c>); their rows are written in the
    /// listing's order all the same.</param>
    /// <param name="cancellationToken">Stops the plan.</param>
    public static async Task<int> RunAsync(ReplicationPreviewer previewer, CliConsole console, IAsyncEnumerable<IReadOnlyList<ReplicationRequest>> repositories, int parallel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(previewer);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(repositories);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallel, 1);

        // One table per repository (TableWriter), written before the next repository's images are read, so that a
        // registry's plan is on the screen as it is made and never held whole; the counts close it.
        var table = new TableWriter(console, () => new Table()
            .AddColumns("Repository", "Tag", "Digest", "Destination", "Action", "Blobs to copy", "Bytes to copy", "Already there"));
        var total = default(PlanCounts);
        var images = 0;
        await foreach (var requests in repositories.WithCancellation(cancellationToken))
        {
            if (images == 0 && requests.Count > 0)
            {
                console.Line("Plan (dry run: nothing written)");
            }

            images += requests.Count;
            await PlanInOrderAsync(previewer, requests, parallel, plan =>
            {
                foreach (var row in plan.Rows)
                {
                    table.Add(row);
                }

                total += plan.Counts;
            }, cancellationToken);

            table.Flush();
        }

        if (images == 0)
        {
            // As sync without --dry-run says it: an empty plan table would read as a failure to plan.
            console.Line("nothing to replicate");
            return ExitCodes.Success;
        }

        var invalidNames = total.Unmapped == 0 ? string.Empty : $", {total.Unmapped} destination(s) with an invalid mapped name";
        var immutable = total.Conflicts == 0 ? string.Empty : $", {total.Conflicts} immutable tag conflict(s)";
        var withoutKey = total.Unkeyed == 0 ? string.Empty : $", {total.Unkeyed} destination(s) without a KMS key";
        var tagsMoved = total.Moved == 0 ? string.Empty : $", {total.Moved} tag(s) moved";
        var restoring = total.Restoring == 0 ? string.Empty : $", {total.Restoring} image(s) being restored";
        console.Line($"{images} image(s), {total.Writes} destination(s) to write, {Format.Bytes(total.Bytes)} to copy{invalidNames}{immutable}{withoutKey}{tagsMoved}{restoring}");
        return total.Unmapped == 0 && total.Conflicts == 0 && total.Unkeyed == 0 && total.Moved == 0 && total.Restoring == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>
    /// The plans of one repository's images, at most <paramref name="parallel"/> being made at once, each handed to
    /// <paramref name="write"/> in the order of <paramref name="requests"/> once the ones before it are: each image
    /// costs a few reads per destination (BatchGetImage, DescribeImages, BatchCheckLayerAvailability), so planning a
    /// large repository one image at a time paid every round trip in series. A read that fails stops the plan with its error, as before: the first image to fail stops the others
    /// (an image before it may be waiting on a slow answer), and the command returns once they have stopped.
    /// </summary>
    private static async Task PlanInOrderAsync(ReplicationPreviewer previewer, IReadOnlyList<ReplicationRequest> requests, int parallel, Action<ImagePlan> write, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ExceptionDispatchInfo? failure = null;
        async Task<ImagePlan> PlanOrStopAsync(ReplicationRequest request)
        {
            try
            {
                return await PlanAsync(previewer, request, stop.Token);
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                await stop.CancelAsync();
                throw;
            }
        }

        var window = new Queue<Task<ImagePlan>>(parallel);
        try
        {
            foreach (var request in requests)
            {
                if (window.Count == parallel)
                {
                    write(await window.Dequeue());
                }

                window.Enqueue(PlanOrStopAsync(request));
            }

            while (window.TryDequeue(out var next))
            {
                write(await next);
            }
        }
        catch (OperationCanceledException) when (failure is not null)
        {
            // The image awaited was stopped because a later one failed: the plan ends with that one's error.
            failure.Throw();
            throw;
        }
        finally
        {
            if (window.Count > 0)
            {
                // Only after a failure or a stop: the images still being planned are stopped and awaited, so none reads
                // on after the command has returned; their own errors are the stop's.
                await stop.CancelAsync();
                foreach (var pending in window)
                {
                    await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
    }

    /// <summary>
    /// One image's rows: its plan for each destination, and what it adds to the counts.
    /// </summary>
    private static async Task<ImagePlan> PlanAsync(ReplicationPreviewer previewer, ReplicationRequest request, CancellationToken cancellationToken)
    {
        var rows = new List<Spectre.Console.Rendering.IRenderable[]>(request.Destinations.Count);
        var counts = await PlanRowsAsync(previewer, rows, request, cancellationToken);
        return new ImagePlan(rows, counts);
    }

    private static async Task<PlanCounts> PlanRowsAsync(ReplicationPreviewer previewer, List<Spectre.Console.Rendering.IRenderable[]> table, ReplicationRequest request, CancellationToken cancellationToken)
    {
        var source = request.Source;
        ReplicationPreview? preview;
        try
        {
            preview = await previewer.PreviewAsync(request, cancellationToken);
        }
        catch (ReplicationException e) when (e.ErrorCode == ReplicationErrorCodes.InvalidRepositoryMapping)
        {
            // The mapped name depends on the repository alone, so no destination can be planned: a row for each, with
            // the reason, as sync's line per destination gives it (code and message).
            foreach (var destination in request.Destinations)
            {
                table.Add(Cells(source.RepositoryName, source.Tag ?? "-", Format.ShortDigest(source.Digest), destination.ToString(), Format.Failure(e), "-", "-", "-"));
            }

            return new PlanCounts { Unmapped = request.Destinations.Count };
        }
        catch (ReplicationException e) when (e.ErrorCode is ReplicationErrorCodes.SourceImageArchived or ReplicationErrorCodes.SourceImageActivating)
        {
            // A manifest below the image (an index's platform manifest) is archived in the source, or being restored: the
            // copy reports the image archived, a success with nothing written, or fails it transiently until the manifest
            // is ACTIVE (ImageReplicator), so the plan says the same per destination and goes on with the other images,
            // instead of stopping on it with an error. Only the second fails the plan (exit 1), as it fails sync.
            var archived = e.ErrorCode == ReplicationErrorCodes.SourceImageArchived;
            var action = archived ? $"{Outcomes.Archived}: {Format.Failure(e)}" : Format.Failure(e);
            foreach (var destination in request.Destinations)
            {
                table.Add(Cells(source.RepositoryName, source.Tag ?? "-", Format.ShortDigest(source.Digest), destination.ToString(), action, "-", "-", "-"));
            }

            return archived ? default : new PlanCounts { Restoring = 1 };
        }

        if (preview is null)
        {
            table.Add(Cells(source.RepositoryName, source.Tag ?? "-", Format.ShortDigest(source.Digest), "-", "source image gone", "-", "-", "-"));
            return default;
        }

        long bytes = 0;
        var writes = 0;
        var conflicts = 0;
        var unkeyed = 0;
        foreach (var (destination, plan) in preview.Destinations)
        {
            if (preview.CreationRefusal(destination) is { } refusal)
            {
                // Nothing is counted to write or copy: the copy fails before CreateRepository, with this code and message.
                unkeyed++;
                table.Add(Cells(source.RepositoryName, source.Tag ?? "-", Format.ShortDigest(preview.SourceDigest), destination.ToString(), Format.Failure(refusal), "-", "-", "-"));
                continue;
            }

            if (preview.ImmutableTagConflict(destination) is { } named)
            {
                // Nothing is counted to write or copy: the copy would upload all of it for PutImage to refuse the tag.
                // The message is the copy's own (DestinationReplicator), so the row reads as sync's FAILED line would.
                conflicts++;
                var repository = previewer.DestinationRepository(source.RepositoryName);
                table.Add(Cells(
                    source.RepositoryName,
                    source.Tag ?? "-",
                    Format.ShortDigest(preview.SourceDigest),
                    destination.ToString(),
                    $"{ReplicationErrorCodes.ImmutableTagConflict}: tag '{source.Tag}' of the immutable destination repository {repository} names {named}, not the replicated {preview.SourceDigest}",
                    "-",
                    "-",
                    "-"));
                continue;
            }

            bytes += plan.BytesToCopy;
            writes += plan.IsEmpty ? 0 : 1;
            var action = plan.IsEmpty ? "up to date"
                : plan.CreateRepository is not null ? "create repository, copy"
                : plan.Blobs.Count == 0 && plan.Manifests.All(m => m.TagOnly) ? "move tag"
                : "copy";
            if (preview.TagLeftAlone)
            {
                // The source moved or removed the tag since the listing: the copy would copy the listed digest, leave
                // the tag alone and read "tag moved" (exit 1); "up to date" here would promise what it will not do.
                action = $"{Outcomes.TagMoved}: {Outcomes.TagLeftAloneDetail(source.Tag!)}" + (plan.IsEmpty ? string.Empty : $" ({action} of the listed digest)");
            }

            if (plan.NonDistributableSkipped > 0)
            {
                // Windows base layers: pulled from the URLs their manifests name, never uploaded to ECR.
                action += $" ({plan.NonDistributableSkipped} foreign layer(s) left out)";
            }

            table.Add(Cells(
                source.RepositoryName,
                source.Tag ?? "-",
                Format.ShortDigest(preview.SourceDigest),
                destination.ToString(),
                action,
                plan.Blobs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Format.Bytes(plan.BytesToCopy) + (plan.HasUnknownBlobSizes ? "+" : string.Empty),
                $"{plan.BlobsSkipped} blobs, {plan.ManifestsSkipped} manifests"));
        }

        return new PlanCounts { Bytes = bytes, Writes = writes, Conflicts = conflicts, Unkeyed = unkeyed, Moved = preview.TagLeftAlone ? 1 : 0 };
    }

    /// <summary>One image's rows and counts, made apart from the table so that images can be planned at once.</summary>
    private sealed record ImagePlan(IReadOnlyList<Spectre.Console.Rendering.IRenderable[]> Rows, PlanCounts Counts);

    /// <summary>
    /// The plan's counts: bytes to copy, destinations to write, and what would fail: destinations the mapping gives an
    /// invalid name, immutable tags naming another image, repositories that could not be created for want of a KMS key,
    /// tags the source moved, and images a manifest of which is being restored.
    /// </summary>
    private readonly record struct PlanCounts(long Bytes, int Writes, int Unmapped, int Conflicts, int Unkeyed, int Moved, int Restoring)
    {
        public static PlanCounts operator +(PlanCounts a, PlanCounts b) => new(
            a.Bytes + b.Bytes, a.Writes + b.Writes, a.Unmapped + b.Unmapped, a.Conflicts + b.Conflicts, a.Unkeyed + b.Unkeyed, a.Moved + b.Moved, a.Restoring + b.Restoring);
    }

    // Text, not markup: a cell is shown as it is.
    private static Spectre.Console.Rendering.IRenderable[] Cells(params string[] values) => [.. values.Select(v => new Text(v))];
}
