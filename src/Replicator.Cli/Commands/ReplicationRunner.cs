using System.Runtime.ExceptionServices;
using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Replication;

namespace Replicator.Cli.Commands;

/// <summary>
/// Runs replication requests through one engine with at most N images at once (the engine bounds layers on its own),
/// writing each image's lines as it finishes (above live bars on a terminal), then the destinations not done and one
/// summary line. The requests come a repository at a time, and the next repository is listed once every image of the
/// one before has started (a sync holds one repository's listing, not the registry's); only counts and the first few
/// not-done destinations are kept (<see cref="RunTally"/>), so a run's memory does not grow with the number of images.
/// </summary>
public static class ReplicationRunner
{
    public static async Task<int> RunAsync(
        CliServices services,
        ProgressObserver progress,
        CliConsole console,
        IAsyncEnumerable<IReadOnlyList<ReplicationRequest>> repositories,
        int parallel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(repositories);

        // Listed up to the first repository with an image before any display starts: an empty selection says so in
        // one line, and an error of the selection itself (no repository matches) ends the command before a bar is drawn.
        await using var pending = repositories.GetAsyncEnumerator(cancellationToken);
        IReadOnlyList<ReplicationRequest>? first = null;
        while (first is null && await pending.MoveNextAsync())
        {
            first = pending.Current.Count > 0 ? pending.Current : null;
        }

        if (first is null)
        {
            console.Line("nothing to replicate");
            return ExitCodes.Success;
        }

        var tally = new RunTally();
        var selected = 0;
        var listed = false;
        ExceptionDispatchInfo? stopping = null;

        // One image: its own slot, its lines, its counts. An exception out of the engine (a tag filter that times out)
        // stops the run as before: no image starts after it, and those running are cut short.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(parallel);
        async Task RunOneAsync(ReplicationRequest request)
        {
            try
            {
                var source = request.Source;
                var label = source.Tag is null ? $"{source.RepositoryName}@{Format.ShortDigest(source.Digest)}" : $"{source.RepositoryName}:{source.Tag}";
                var image = progress.Track(label, source.Tag, source.Digest);
                var result = await services.Replicator.ReplicateAsync(request, stop.Token);
                var run = new ImageRun(source.RepositoryName, source.Tag, result);

                // Read once: the image's bar and its counts agree on whether a stop had cut it short.
                var stoppedThen = cancellationToken.IsCancellationRequested;
                image.Complete(run.Done(stoppedThen));
                tally.Add(run, stoppedThen);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // A stop signal cut it before it had a result: not counted, so the run reads as cut short.
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref stopping, ExceptionDispatchInfo.Capture(e), null);
                await stop.CancelAsync();
            }
            finally
            {
                slots.Release();
            }
        }

        async Task RunAllAsync()
        {
            var running = new List<Task>();
            try
            {
                for (var batch = first; batch is not null; batch = await pending.MoveNextAsync() ? pending.Current : null)
                {
                    selected += batch.Count;
                    progress.Selected(batch.Count);
                    foreach (var request in batch)
                    {
                        await slots.WaitAsync(stop.Token);
                        if (stop.IsCancellationRequested)
                        {
                            // The slot came free while the stop was being delivered (an image cut short returned on
                            // the stopping thread before this wait saw the token): nothing starts after a stop.
                            slots.Release();
                            stop.Token.ThrowIfCancellationRequested();
                        }

                        running.RemoveAll(t => t.IsCompleted);
                        running.Add(RunOneAsync(request));
                    }
                }

                listed = true;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // A stop signal, or an image's exception: nothing more starts.
            }
            catch (Exception e)
            {
                // The listing failed (throttling past its retries, access denied, a named repository deleted since the
                // check): the images already started finish and are reported before the error ends the command, rather
                // than being cut short and shown as failed.
                Interlocked.CompareExchange(ref stopping, ExceptionDispatchInfo.Capture(e), null);
            }

            await Task.WhenAll(running);
        }

        try
        {
            await ShowAsync(console, progress, RunAllAsync);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // A stop signal: the images already started come back (the engine ends a copy its token cut short with a
            // result), the others never start. The summary still shows what was done, and the exit code is a stop's.
        }

        var stopped = cancellationToken.IsCancellationRequested;
        if (tally.Images > 0)
        {
            if (ResultTables.NotDone(tally) is { } notDone)
            {
                console.Write(notDone);
            }

            console.Line(ResultTables.Summary(tally));
        }

        // A stop that came after every image had come back whole, and after the listing had ended, cut nothing: the
        // run's own exit code stands. "Of M" counts the images of the repositories listed by then.
        var done = tally.Done;
        var cut = tally.Images < selected || tally.Interrupted || !listed;
        if (stopped && cut)
        {
            console.Error($"cancelled after {done} of {selected} image(s) replicated; layers already copied are kept and skipped next time");
            return ExitCodes.Cancelled;
        }

        stopping?.Throw();
        return done == selected ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Live bars on a terminal, for as long as <paramref name="run"/> runs; nothing extra otherwise.</summary>
    private static async Task ShowAsync(CliConsole console, ProgressObserver progress, Func<Task> run)
    {
        if (console.IsTerminal)
        {
            await progress.ShowAsync(console.Ansi, run);
        }
        else
        {
            await run();
        }
    }
}
