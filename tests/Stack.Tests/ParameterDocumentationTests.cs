using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// docs/deploy.md's parameter table is what a user reads before <c>sam deploy --guided</c>: it names every parameter of
/// the template, and no other, with the template's default (a name or a default gone stale would send a deploy the
/// wrong value, or none).
/// </summary>
public sealed class ParameterDocumentationTests
{
    [Fact]
    public void The_deploy_guide_table_names_every_parameter_with_the_template_default()
    {
        var documented = DocumentedDefaults();
        var parameters = StackTemplate.Raw["Parameters"]!.AsObject();

        Assert.Equal(parameters.Select(p => p.Key).Order(StringComparer.Ordinal), documented.Keys.Order(StringComparer.Ordinal));
        Assert.All(parameters, p => Assert.True(
            documented[p.Key] == Expected(p.Value!["Default"]),
            $"{p.Key}: deploy.md says {documented[p.Key]}, the template {Expected(p.Value!["Default"])}"));
    }

    // How the table writes a default: "(required)" without one, "empty" for "", the value itself otherwise (in code
    // spans, but for numbers).
    private static string Expected(JsonNode? value) => value switch
    {
        null => "(required)",
        JsonValue v when v.TryGetValue<string>(out var text) => text.Length == 0 ? "empty" : $"`{text}`",
        _ => value.ToJsonString(),
    };

    private static Dictionary<string, string> DocumentedDefaults()
    {
        var lines = File.ReadAllLines(RepositoryRoot.File("docs", "deploy.md"));
        var header = Array.FindIndex(lines, l => l.StartsWith("| Parameter | Default |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/deploy.md has no \"| Parameter | Default |\" table");
        return lines.Skip(header + 2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => l.Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[1].Trim('`'), cells => cells[2], StringComparer.Ordinal);
    }
}
