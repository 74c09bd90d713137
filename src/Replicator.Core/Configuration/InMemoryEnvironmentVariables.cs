namespace Replicator.Core.Configuration;

/// <summary>A fixed set of variables, for tests and for callers that build the environment themselves.</summary>
public sealed class InMemoryEnvironmentVariables(IReadOnlyDictionary<string, string> values) : IEnvironmentVariables
{
    private readonly IReadOnlyDictionary<string, string> _values = values ?? throw new ArgumentNullException(nameof(values));

    public InMemoryEnvironmentVariables()
        : this(new Dictionary<string, string>())
    {
    }

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;
}
