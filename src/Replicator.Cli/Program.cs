using Replicator.Cli.Commands;
using Replicator.Cli.Composition;

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

return await CliApp.RunAsync(args, CliContext.FromProcess(), stopping.Token);
