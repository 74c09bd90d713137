using Replicator.Cli.Commands;
using Replicator.Cli.Composition;

using var stopping = new StopSignals();
return stopping.ExitCode(await CliApp.RunAsync(args, CliContext.FromProcess(), stopping.Token));
