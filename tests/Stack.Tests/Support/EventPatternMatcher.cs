using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>
/// The part of EventBridge matching the rule uses, for a repository name: a field's array is an OR of exact strings,
/// <c>{"wildcard": "..."}</c> (where <c>*</c> is any run of characters, and nothing else is special) and
/// <c>{"anything-but": {"wildcard": "..." or [...]}}</c> (every value no wildcard of it matches). Enough to compare the rule
/// with the function's filter; not a general EventBridge implementation. Operators:
/// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
/// </summary>
internal static class EventPatternMatcher
{
    /// <summary>True when <paramref name="value"/> matches <paramref name="field"/>; a field the pattern leaves out (null) matches every value.</summary>
    public static bool Matches(JsonNode? field, string value) => field is null || field.AsArray().Any(entry => entry switch
    {
        JsonValue exact => (string)exact! == value,
        JsonObject { Count: 1 } wildcard when wildcard["wildcard"] is JsonValue w => Wildcard((string)w!, value),
        JsonObject { Count: 1 } anythingBut when anythingBut["anything-but"] is JsonObject { Count: 1 } inner
                                               && inner["wildcard"] is JsonValue w => !Wildcard((string)w!, value),
        JsonObject { Count: 1 } anythingBut when anythingBut["anything-but"] is JsonObject { Count: 1 } inner
                                               && inner["wildcard"] is JsonArray list => !list.Any(w => Wildcard((string)w!, value)),
        _ => throw new NotSupportedException($"operator not simulated: {entry!.ToJsonString()}"),
    });

    private static bool Wildcard(string pattern, string value) =>
        Regex.IsMatch(value, "^" + string.Join(".*", pattern.Split('*').Select(Regex.Escape)) + "$", RegexOptions.Singleline, TimeSpan.FromSeconds(1));
}
