using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Replication;
using Spectre.Console;

namespace Replicator.Cli.Commands;

/// <summary>
/// Runs replication requests through one engine with at most N images at once (the engine bounds layers on its own),
/// writing each image's lines as it finishes (above live bars on a terminal), then the destinations not done and one
/// summary line. The requests are pulled as images are started (a sync lists the next repository only then), and only
/// counts and the first few not-done destinations are kept (<see cref="RunTally"/>), so a run's memory does not grow
/// with the number of images.
/// </summary>
public static class ReplicationRunner
{
    public static async Task<int> RunAsync(
        CliServices services,
        ProgressObserver progress,
        CliConsole console,
        IAsyncEnumerable<ReplicationRequest> requests,
        int parallel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(requests);

        // The first request is read before any display starts: an empty selection says so in one line, and an error
        // of the selection itself (no repository matches) ends the command before a bar is drawn.
        await using var pending = requests.GetAsyncEnumerator(cancellationToken);
        if (!await pending.MoveNextAsync())
        {
            console.Line("nothing to replicate");
            return ExitCodes.Success;
        }

        var tally = new RunTally();
        var selected = 0;
        var listed = false;

        // Parallel.ForEachAsync moves an async source one item at a time (under its own lock), so the count needs none.
        async IAsyncEnumerable<ReplicationRequest> Started()
        {
            do
            {
                selected++;
                progress.Selected();
                yield return pending.Current;
            }
            while (await pending.MoveNextAsync());
            listed = true;
        }

        async Task RunAllAsync()
        {
            await Parallel.ForEachAsync(
                Started(),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (request, token) =>
                {
                    var source = request.Source;
                    var label = source.Tag is null ? $"{source.RepositoryName}@{Format.ShortDigest(source.Digest)}" : $"{source.RepositoryName}:{source.Tag}";
                    var image = progress.Track(label, source.Tag, source.Digest);
                    var result = await services.Replicator.ReplicateAsync(request, token);
                    var run = new ImageRun(source.RepositoryName, source.Tag, result);

                    // Read once: the image's bar and its counts agree on whether a stop had cut it short.
                    var stoppedThen = cancellationToken.IsCancellationRequested;
                    image.Complete(run.Done(stoppedThen));
                    tally.Add(run, stoppedThen);
                });
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

        // A stop that came after every image had come back whole cut nothing: the run's own exit code stands.
        var done = tally.Done;
        // The images not listed yet when the stop came are not counted: "of M" is what the run had selected by then,
        // and a stop that cut the listing short cut the run.
        var cut = tally.Images < selected || tally.Interrupted || !listed;
        if (stopped && cut)
        {
            console.Error($"cancelled after {done} of {selected} image(s) replicated; layers already copied are kept and skipped next time");
            return ExitCodes.Error;
        }

        return done == selected ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Live bars on a terminal, for as long as <paramref name="run"/> runs; nothing extra otherwise.</summary>
    private static async Task ShowAsync(CliConsole console, ProgressObserver progress, Func<Task> run)
    {
        if (console.IsTerminal)
        {
            await console.Ansi.Progress()
                .AutoClear(false)
                .Columns(ProgressObserver.Columns())
                .StartAsync(async context =>
                {
                    progress.Begin(context);
                    try
                    {
                        await run();
                    }
                    finally
                    {
                        progress.End();
                    }
                });
        }
        else
        {
            await run();
        }
    }
}
