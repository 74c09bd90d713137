using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>
/// The names of resources as the documents write them, checked against what the stack really gives: a name the
/// template sets itself (a property ending in "Name" built from the stack's name, e.g. a LogGroupName), written with
/// <see cref="Placeholder"/> for the stack's name, or an output of the stack. A resource without such a name gets one
/// CloudFormation generates, which only an output (or the console) tells.
/// </summary>
internal static partial class StackNames
{
    /// <summary>How the documents write the stack's name.</summary>
    public const string Placeholder = "STACK";

    private static readonly Lazy<HashSet<string>> GivenLazy = new(() => Samples.EveryBranch()
        .SelectMany(b => b.Stack.Resources.Select(r => r.Value!["Properties"]).OfType<JsonObject>())
        .SelectMany(properties => properties)
        .Where(p => p.Key.EndsWith("Name", StringComparison.Ordinal) && p.Value is JsonValue value && value.TryGetValue<string>(out var name) && name.Contains(IntrinsicEvaluator.StackName, StringComparison.Ordinal))
        .Select(p => ((string)p.Value!).Replace(IntrinsicEvaluator.StackName, Placeholder, StringComparison.Ordinal))
        .ToHashSet(StringComparer.Ordinal));

    /// <summary>The names the template gives its resources, in every branch, with <see cref="Placeholder"/> for the stack's name.</summary>
    public static IReadOnlySet<string> Given => GivenLazy.Value;

    public static IReadOnlySet<string> Outputs => StackTemplate.Raw["Outputs"]!.AsObject().Select(o => o.Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>Each log group path in <paramref name="text"/> (<c>/aws/lambda/...</c>, <c>/aws/vendedlogs/...</c>) that no log group of the stack has.</summary>
    public static IEnumerable<string> UnknownLogGroups(string text) =>
        LogGroupPath().Matches(text).Select(m => m.Value).Where(path => !Given.Contains(path));

    /// <summary>
    /// Each literal resource name in <paramref name="text"/> the stack does not give: a log group path, a word built
    /// on <see cref="Placeholder"/> (<c>STACK-intake</c>), the value of a <c>--...-name</c> or <c>--queue-url</c> option
    /// that is not taken from the shell (<c>"$(...)"</c>, <c>$VAR</c>), and an <c>OutputKey</c> the stack lacks.
    /// </summary>
    public static IEnumerable<string> Unresolved(string text)
    {
        var words = NameOption().Matches(text).Select(m => m.Groups["value"].Value)
            .Where(v => !v.StartsWith('$') && !v.StartsWith("\"$", StringComparison.Ordinal))
            .Concat(PlaceholderWord().Matches(text).Select(m => m.Value))
            .Concat(LogGroupPath().Matches(text).Select(m => m.Value))
            .Distinct(StringComparer.Ordinal)
            .Where(w => w != Placeholder && !Given.Contains(w))
            .Select(w => $"name {w}");
        var outputs = OutputKey().Matches(text).Select(m => m.Groups["key"].Value)
            .Where(k => !Outputs.Contains(k))
            .Select(k => $"output {k}");
        return words.Concat(outputs);
    }

    [GeneratedRegex(@"/aws/(?:lambda|vendedlogs)/[A-Za-z0-9_./<>-]*[A-Za-z0-9_<>-]")]
    private static partial Regex LogGroupPath();

    [GeneratedRegex(@"--(?:[a-z]+-)*(?:name|url)\s+(?<value>[^\s`]+)")]
    private static partial Regex NameOption();

    [GeneratedRegex(@"[A-Za-z0-9_./-]*\bSTACK\b[A-Za-z0-9_./-]*")]
    private static partial Regex PlaceholderWord();

    [GeneratedRegex(@"OutputKey=='(?<key>[A-Za-z0-9]+)'")]
    private static partial Regex OutputKey();
}
