using System.Text.RegularExpressions;

namespace LocalEcr.Model;

/// <summary>One shape of the ECR service model: its type and the constraints botocore records for it.</summary>
public sealed class ModelShape
{
    public required string Name { get; init; }

    /// <summary>structure, list, string, integer, long, boolean, blob, map or timestamp.</summary>
    public required string Type { get; init; }

    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>Member name to shape name (structures).</summary>
    public IReadOnlyDictionary<string, string> Members { get; init; } = new Dictionary<string, string>();

    /// <summary>Element shape name (lists).</summary>
    public string? Member { get; init; }

    /// <summary>Key and value shape names (maps).</summary>
    public string? Key { get; init; }

    public string? Value { get; init; }

    public long? Min { get; init; }

    public long? Max { get; init; }

    public string? Pattern { get; init; }

    /// <summary>The pattern, matched against the whole value.</summary>
    public Regex? PatternRegex { get; init; }

    public IReadOnlyList<string>? Enum { get; init; }
}
