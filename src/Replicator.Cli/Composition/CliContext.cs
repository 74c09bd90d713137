using Replicator.Core.Configuration;
using Replicator.Core.Signing;
using Replicator.Function.Enqueue;

namespace Replicator.Cli.Composition;

/// <summary>
/// Everything the CLI takes from its surroundings, so tests run it in-process: the environment (endpoints,
/// region), the two output writers, whether stdout is a terminal, and optional overrides of credentials and the
/// queue sender. Program.cs builds it from the process; tests from an in-memory environment and StringWriters.
/// </summary>
public sealed record CliContext
{
    public required IEnvironmentVariables Environment { get; init; }

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>True when stdout is an interactive terminal: live progress and colours; else plain lines.</summary>
    public bool IsTerminal { get; init; }

    /// <summary>Null: the standard AWS credentials chain.</summary>
    public IAwsCredentialsSource? Credentials { get; init; }

    /// <summary>Null: AWSSDK.SQS with the standard chain and <c>AWS_ENDPOINT_URL_SQS</c>.</summary>
    public Func<string, IMessageSender>? MessageSenderFactory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliContext FromProcess() => new()
    {
        Environment = ProcessEnvironmentVariables.Instance,
        Out = Console.Out,
        Error = Console.Error,
        IsTerminal = !Console.IsOutputRedirected,
    };
}
