using System.Collections.Concurrent;
using Replicator.Core.Configuration;

namespace Replicator.Samples;

/// <summary>A private set of variables, for hosts that build the environment themselves (the CLI demo, the bench, the soak).</summary>
public sealed class InMemoryEnvironmentVariables : IEnvironmentVariables
{
    private readonly ConcurrentDictionary<string, string> _values;

    public InMemoryEnvironmentVariables()
        : this(new Dictionary<string, string>())
    {
    }

    public InMemoryEnvironmentVariables(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        _values = new ConcurrentDictionary<string, string>(values, StringComparer.Ordinal);
    }

    public string? GetEnvironmentVariable(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public void SetEnvironmentVariable(string name, string? value)
    {
        if (value is null)
        {
            _values.TryRemove(name, out _);
        }
        else
        {
            _values[name] = value;
        }
    }
}
