using System.Text.Json;

namespace Replicator.Core.Manifests;

/// <summary>Typed reads of manifest fields that fail with a <see cref="ManifestException"/> naming the field's path.</summary>
internal static class JsonFields
{
    public static string? OptionalString(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? Text(value, Join(path, name))
            : throw Invalid(Join(path, name), $"must be a string, found {Describe(value)}");
    }

    public static string RequiredString(JsonElement obj, string name, string path) =>
        OptionalString(obj, name, path) is { Length: > 0 } text ? text : throw Invalid(Join(path, name), "is missing or empty");

    public static JsonElement? OptionalObject(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Object ? value : throw Invalid(Join(path, name), $"must be an object, found {Describe(value)}");
    }

    public static JsonElement? OptionalArray(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Array ? value : throw Invalid(Join(path, name), $"must be an array, found {Describe(value)}");
    }

    public static JsonElement RequiredArray(JsonElement obj, string name, string path) =>
        OptionalArray(obj, name, path) ?? throw Invalid(Join(path, name), "is missing");

    public static int? OptionalInt32(JsonElement obj, string name, string path)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Invalid(Join(path, name), $"must be an integer, found {Describe(value)}");
    }

    public static IReadOnlyList<string> StringArray(JsonElement obj, string name, string path)
    {
        if (OptionalArray(obj, name, path) is not { } array)
        {
            return [];
        }

        var items = new List<string>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            items.Add(item.ValueKind == JsonValueKind.String
                ? Text(item, $"{Join(path, name)}[{index}]")
                : throw Invalid($"{Join(path, name)}[{index}]", $"must be a string, found {Describe(item)}"));
            index++;
        }

        return items;
    }

    public static IReadOnlyDictionary<string, string> Annotations(JsonElement obj, string path)
    {
        if (OptionalObject(obj, "annotations", path) is not { } map)
        {
            return Descriptor.EmptyAnnotations;
        }

        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in map.EnumerateObject())
        {
            annotations[property.Name] = property.Value.ValueKind == JsonValueKind.String
                ? Text(property.Value, $"{Join(path, "annotations")}.{property.Name}")
                : throw Invalid($"{Join(path, "annotations")}.{property.Name}", $"must be a string, found {Describe(property.Value)}");
        }

        return annotations;
    }

    /// <summary>
    /// JsonDocument accepts an escaped unpaired surrogate such as "\ud800" (the JSON grammar allows it), but reading it
    /// as a .NET string throws InvalidOperationException: refuse it as a manifest problem instead.
    /// </summary>
    private static string Text(JsonElement value, string path)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ManifestException($"manifest field '{path}' is not valid Unicode (it escapes an unpaired surrogate)", ex);
        }
    }

    public static ManifestException Invalid(string path, string problem) => new($"manifest field '{path}' {problem}");

    public static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
