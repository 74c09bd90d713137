using System.Text.Json.Nodes;

namespace Stack.Tests.Support;

/// <summary>One Allow/Deny statement of an identity policy attached to the function's role.</summary>
internal sealed record PolicyStatement(string Policy, string Effect, IReadOnlyList<string> Actions, IReadOnlyList<string> Resources, JsonObject? Condition, string? Sid = null)
{
    public static IEnumerable<PolicyStatement> Of(string policy, JsonNode document) =>
        document["Statement"]!.AsArray().Select(s => new PolicyStatement(
            policy,
            (string)s!["Effect"]!,
            [.. Samples.Strings(s["Action"])],
            [.. Samples.Strings(s["Resource"])],
            s["Condition"]?.AsObject(),
            (string?)s["Sid"]));

    public IReadOnlyList<string> ConditionValues(string op, string key) =>
        [.. Samples.Strings(Condition?[op]?[key])];
}
