using Replicator.Core.Configuration;

namespace Replicator.Cli.Composition;

/// <summary>
/// The environment after <see cref="CliContext.WithSharedFilePaths"/> wrote the expanded shared-file paths to the
/// inner one (the process's, for AWSSDK.Core): the CLI's own reads of those variables get the value as the user wrote
/// it, so <see cref="SharedConfigFile"/> expands it once, as botocore does, rather than a second time. A later write of
/// one of them is the inner one's and is read back from there.
/// </summary>
internal sealed class SharedFilePathsEnvironment(IEnvironmentVariables inner, IReadOnlyDictionary<string, string> asWritten)
    : IEnvironmentVariables
{
    private readonly Dictionary<string, string> _asWritten = new(asWritten, StringComparer.Ordinal);

    public string? GetEnvironmentVariable(string name)
    {
        lock (_asWritten)
        {
            if (_asWritten.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return inner.GetEnvironmentVariable(name);
    }

    public void SetEnvironmentVariable(string name, string? value)
    {
        lock (_asWritten)
        {
            _asWritten.Remove(name);
        }

        inner.SetEnvironmentVariable(name, value);
    }
}
