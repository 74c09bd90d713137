using System.CommandLine;
using Replicator.Cli.Composition;
using Replicator.Cli.Demo;
using Replicator.Core.Signing;

namespace Replicator.Cli.Commands;

/// <summary><c>demo</c>: the offline proof, see <see cref="DemoScenario"/>.</summary>
public static class DemoCommand
{
    public const string Name = "demo";

    public static Command Create(CliContext context)
    {
        var command = new Command(Name, "Offline demo: a local ECR, a multi-arch push, the function on its events, and proof that every destination holds the same digests");
        command.SetAction((parse, ct) =>
        {
            // LocalEcr's keys: the demo never reads the operator's credentials.
            var credentials = new StaticCredentialsSource(new AwsCredentials(LocalEcrKeys.AccessKey, LocalEcrKeys.SecretKey));
            return new DemoScenario(context, new FunctionDemo(credentials)).RunAsync(ct);
        });
        return command;
    }
}
