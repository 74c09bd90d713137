namespace Replicator.Cli.Composition;

/// <summary>A mistake in the arguments or configuration: printed as one line, exit code 2, never a stack trace.</summary>
public sealed class UsageException(string message) : Exception(message)
{
}
