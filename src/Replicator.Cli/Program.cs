using Replicator.Cli.Commands;
using Replicator.Cli.Composition;

// A second stop signal ends the process where it is, and the live bars of stdout's terminal may have hidden its
// cursor: StopSignals shows it again first, on a terminal that takes ANSI sequences (not TERM=dumb, whose terminfo
// entry has no cursor_visible, and where Spectre draws no live bars).
var term = Environment.GetEnvironmentVariable("TERM");
using var stopping = new StopSignals(!Console.IsOutputRedirected && !string.IsNullOrEmpty(term) && term != "dumb" ? Console.Out : null);
return stopping.ExitCode(await CliApp.RunAsync(args, CliContext.FromProcess(), stopping.Token));
