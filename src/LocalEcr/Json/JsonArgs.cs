using System.Text.Json;
using LocalEcr.Api;

namespace LocalEcr.Json;

/// <summary>Typed reads of request members; a wrong JSON type answers SerializationException as AWS does.</summary>
internal static class JsonArgs
{
    public static JsonElement? Member(this JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? OptionalString(this JsonElement body, string name) => body.Member(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        _ => throw Mistyped(name, "string"),
    };

    public static string RequiredString(this JsonElement body, string name) =>
        body.OptionalString(name) ?? throw EcrException.InvalidParameter($"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");

    public static long? OptionalLong(this JsonElement body, string name) => body.Member(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } v when v.TryGetInt64(out var n) => n,
        _ => throw Mistyped(name, "integer"),
    };

    public static bool? OptionalBool(this JsonElement body, string name) => body.Member(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Mistyped(name, "boolean"),
    };

    public static JsonElement? OptionalObject(this JsonElement body, string name) => body.Member(name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Object } v => v,
        _ => throw Mistyped(name, "structure"),
    };

    public static List<JsonElement> OptionalArray(this JsonElement body, string name) => body.Member(name) switch
    {
        null => [],
        { ValueKind: JsonValueKind.Array } v => [.. v.EnumerateArray()],
        _ => throw Mistyped(name, "list"),
    };

    public static List<string> StringArray(this JsonElement body, string name) =>
        [.. body.OptionalArray(name).Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Mistyped(name, "list of strings"))];

    private static EcrException Mistyped(string name, string expected) =>
        new("SerializationException", $"Unexpected value for '{name}': expected {expected}.");
}
