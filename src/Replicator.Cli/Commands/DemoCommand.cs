using System.CommandLine;
using Replicator.Cli.Composition;

namespace Replicator.Cli.Commands;

/// <summary><c>demo</c>: placeholder until the function is merged.</summary>
public static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Offline demo");
        command.SetAction((parse, ct) => Task.FromResult(ExitCodes.Error));
        return command;
    }
}
