using System.Text.Json;

namespace Replicator.Core.Errors;

/// <summary>
/// Why a document that <see cref="JsonDocument.Parse(ReadOnlyMemory{byte}, JsonDocumentOptions)"/> refused is not
/// acceptable JSON, in our words. Not the <see cref="JsonException"/>'s message: the Native AOT function is built
/// with UseSystemResourceKeys, which drops the framework's message texts and leaves their resource keys
/// ("ExpectedStartOfValueNotFound, n LineNumber: 0 | BytePositionInLine: 0."), and a dead-letter reason must tell the
/// operator what was wrong (https://learn.microsoft.com/dotnet/core/deploying/trimming/trimming-options).
/// </summary>
public static class JsonErrorText
{
    private const int MaxNameLength = 100;

    /// <summary>
    /// Names the first of: a syntax error with its position, nesting deeper than <paramref name="maxDepth"/>, or a
    /// member name repeated within one object (refused by <c>AllowDuplicateProperties = false</c>). Called only once a
    /// parse failed, so the extra parses cost nothing on the way of a good document.
    /// </summary>
    public static string Describe(ReadOnlyMemory<byte> utf8, int maxDepth)
    {
        try
        {
            using var unbounded = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = int.MaxValue, AllowDuplicateProperties = true });
        }
        catch (JsonException syntax)
        {
            // Positions are 0-based in JsonException; people count from 1.
            return $"invalid JSON at line {syntax.LineNumber + 1}, byte {syntax.BytePositionInLine + 1} of the line";
        }

        try
        {
            using var bounded = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = maxDepth, AllowDuplicateProperties = true });
            return DuplicateName(bounded.RootElement) is { } name
                ? $"a member name appears twice in one object: '{Cut(name)}'"
                : "a member name appears twice in one object";
        }
        catch (JsonException)
        {
            return $"nested deeper than the maximum depth of {maxDepth}";
        }
    }

    private static string? ReadableName(JsonProperty member)
    {
        try
        {
            return member.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string? DuplicateName(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in element.EnumerateObject())
                {
                    // A name escaping an unpaired surrogate cannot be read as a string (InvalidOperationException): it is
                    // not the one named, and the duplicate may still be found beside it or below it.
                    if (ReadableName(member) is { } name && !names.Add(name))
                    {
                        return name;
                    }

                    if (DuplicateName(member.Value) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (DuplicateName(item) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string Cut(string name) => name.Length <= MaxNameLength ? name : name[..MaxNameLength] + "...";
}
