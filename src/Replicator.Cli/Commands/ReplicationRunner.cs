using Replicator.Cli.Composition;
using Replicator.Cli.Output;
using Replicator.Core.Replication;
using Spectre.Console;

namespace Replicator.Cli.Commands;

/// <summary>
/// Runs replication requests through one engine with at most N images at once (the engine bounds layers on its own),
/// showing live bars on a terminal and plain lines otherwise, then the summary table.
/// </summary>
public static class ReplicationRunner
{
    public static async Task<int> RunAsync(
        CliServices services,
        ProgressObserver progress,
        CliConsole console,
        IReadOnlyList<ReplicationRequest> requests,
        int parallel,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            console.Line("nothing to replicate");
            return ExitCodes.Success;
        }

        var runs = new ImageRun?[requests.Count];

        async Task RunAllAsync()
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, requests.Count),
                new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
                async (index, token) =>
                {
                    var request = requests[index];
                    var source = request.Source;
                    var label = source.Tag is null ? $"{source.RepositoryName}@{Format.ShortDigest(source.Digest)}" : $"{source.RepositoryName}:{source.Tag}";
                    var image = progress.Track(label, source.Tag, source.Digest);
                    var result = await services.Replicator.ReplicateAsync(request, token);
                    var run = new ImageRun(source.RepositoryName, source.Tag, result);
                    image.Complete(run.Done(cancellationToken.IsCancellationRequested));
                    runs[index] = run;
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
        var finished = runs.OfType<ImageRun>().ToList();
        if (finished.Count > 0)
        {
            console.Write(ResultTables.Summary(finished, stopped));
        }

        // A stop that came after every image had come back whole cut nothing: the run's own exit code stands.
        var done = finished.Count(r => r.Done(stopped));
        var cut = finished.Count < requests.Count || finished.Any(r => r.Interrupted(stopped));
        if (stopped && cut)
        {
            console.Error($"cancelled after {done} of {requests.Count} image(s) replicated; layers already copied are kept and skipped next time");
            return ExitCodes.Error;
        }

        return done == requests.Count ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Live bars on a terminal, for as long as <paramref name="run"/> runs; nothing extra otherwise.</summary>
    private static async Task ShowAsync(CliConsole console, ProgressObserver progress, Func<Task> run)
    {
        if (console.IsTerminal)
        {
            await console.Ansi.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    progress.Live = context;
                    try
                    {
                        await run();
                    }
                    finally
                    {
                        progress.Live = null;
                    }
                });
        }
        else
        {
            await run();
        }
    }
}
