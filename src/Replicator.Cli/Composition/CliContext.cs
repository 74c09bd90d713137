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

    /// <summary>
    /// This context under the named profile of the shared AWS files, as the AWS CLI's <c>--profile</c>: its credentials
    /// (ahead of the environment's keys; an injected <see cref="Credentials"/> stays, as a test's override) and, through
    /// <c>AWS_PROFILE</c>, its region, endpoints and FIPS and dual-stack settings. An unknown profile is a
    /// <see cref="UsageException"/>.
    /// </summary>
    public CliContext WithProfile(string profileName)
    {
        ArgumentNullException.ThrowIfNull(profileName);
        if (string.IsNullOrWhiteSpace(profileName))
        {
            throw new UsageException("--profile needs the name of a profile of the AWS config or credentials file");
        }

        IAwsCredentialsSource credentials;
        try
        {
            credentials = Credentials ?? AwsSdkCredentialsSource.ForProfile(profileName);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--profile: {e.Message}");
        }

        return this with { Environment = new ProfileEnvironment(Environment, profileName), Credentials = credentials };
    }

    public static CliContext FromProcess() => new()
    {
        Environment = ProcessEnvironmentVariables.Instance,
        Out = Console.Out,
        Error = Console.Error,
        IsTerminal = !Console.IsOutputRedirected,
    };
}
