using System.Collections.Concurrent;
using Replicator.Core.Configuration;

namespace Replicator.Function.Tests.Support;

/// <summary>An in-memory environment: tests never touch the process environment.</summary>
public sealed class DictionaryEnvironmentVariables(IDictionary<string, string?>? initial = null) : IEnvironmentVariables
{
    private readonly ConcurrentDictionary<string, string?> _values = new(initial ?? new Dictionary<string, string?>(), StringComparer.Ordinal);

    public List<(string Name, string? Value)> Writes { get; } = [];

    public string? GetEnvironmentVariable(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public void SetEnvironmentVariable(string name, string? value)
    {
        lock (Writes)
        {
            Writes.Add((name, value));
        }

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
