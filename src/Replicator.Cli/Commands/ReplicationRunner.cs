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

        var runs = new ImageRun[requests.Count];

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
                    var image = progress.Track(label);
                    var result = await services.Replicator.ReplicateAsync(request, token);
                    image.Complete();
                    runs[index] = new ImageRun(source.RepositoryName, source.Tag, result);
                });
        }

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
                        await RunAllAsync();
                    }
                    finally
                    {
                        progress.Live = null;
                    }
                });
        }
        else
        {
            await RunAllAsync();
        }

        console.Write(ResultTables.Summary(runs));
        return runs.All(r => r.Result.Succeeded) ? ExitCodes.Success : ExitCodes.Failed;
    }
}
