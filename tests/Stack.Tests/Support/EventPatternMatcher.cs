using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>
/// The part of EventBridge matching the rule uses, for a repository name: a field's array is an OR of exact strings
/// and <c>{"wildcard": "..."}</c> (where <c>*</c> is any run of characters, and nothing else is special). Enough to
/// compare the rule with the function's filter; not a general EventBridge implementation.
/// </summary>
internal static class EventPatternMatcher
{
    public static bool Matches(JsonNode field, string value) => field.AsArray().Any(entry => entry switch
    {
        JsonValue exact => (string)exact! == value,
        JsonObject { Count: 1 } wildcard when wildcard["wildcard"] is JsonValue w =>
            Regex.IsMatch(value, "^" + string.Join(".*", ((string)w!).Split('*').Select(Regex.Escape)) + "$", RegexOptions.Singleline, TimeSpan.FromSeconds(1)),
        _ => throw new NotSupportedException($"operator not simulated: {entry!.ToJsonString()}"),
    });
}
