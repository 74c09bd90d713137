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

    /// <summary>
    /// The paragraph under the table names the list parameters whose template rule (...WithoutEmptyEntries) refuses a
    /// stray comma: all of them. It said "the five" after SubnetIds and SecurityGroupIds had their rules too, so a reader
    /// took those two to be unchecked.
    /// </summary>
    [Fact]
    public void The_deploy_guide_names_every_list_parameter_whose_rule_refuses_an_empty_entry()
    {
        const string Suffix = "WithoutEmptyEntries";
        var checkedLists = StackTemplate.Raw["Rules"]!.AsObject()
            .Select(r => r.Key)
            .Where(k => k.EndsWith(Suffix, StringComparison.Ordinal))
            .Select(k => k[..^Suffix.Length])
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("SubnetIds", checkedLists);

        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var match = System.Text.RegularExpressions.Regex.Match(deploy, @"The (\w+) list parameters \(([^)]*)\) are checked entry by entry");
        Assert.True(match.Success, "docs/deploy.md no longer has the paragraph on the list parameters' rules");
        var named = System.Text.RegularExpressions.Regex.Matches(match.Groups[2].Value, "`([A-Za-z]+)`").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(checkedLists, named);
        string[] counts = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];
        Assert.Equal(counts[checkedLists.Count], match.Groups[1].Value);
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
