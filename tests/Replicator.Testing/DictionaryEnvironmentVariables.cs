using System.Collections.Concurrent;
using Replicator.Core.Configuration;

namespace Replicator.Testing;

/// <summary>The tests' one in-memory environment: tests never touch the process environment. Records every write.</summary>
public sealed class DictionaryEnvironmentVariables(IEnumerable<KeyValuePair<string, string?>>? initial = null) : IEnvironmentVariables
{
    private readonly ConcurrentDictionary<string, string?> _values = new(initial ?? [], StringComparer.Ordinal);

    public List<(string Name, string? Value)> Writes { get; } = [];

    /// <summary>An environment holding exactly <paramref name="values"/>.</summary>
    public static DictionaryEnvironmentVariables Of(IReadOnlyDictionary<string, string> values) =>
        new(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)));

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
