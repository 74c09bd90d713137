namespace BenchDriver;

/// <summary>`--name value` pairs after the subcommand; every option is required unless read with a default.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var arg in args)
        {
            if (name is null)
            {
                name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : throw new ArgumentException($"expected an option, got '{arg}'");
            }
            else
            {
                _values[name] = arg;
                name = null;
            }
        }

        if (name is not null)
        {
            throw new ArgumentException($"option --{name} needs a value");
        }
    }

    public string Get(string name) => _values.TryGetValue(name, out var v) ? v : throw new ArgumentException($"missing --{name}");

    public string Get(string name, string fallback) => _values.TryGetValue(name, out var v) ? v : fallback;

    public long GetLong(string name, long fallback) => _values.TryGetValue(name, out var v) ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
