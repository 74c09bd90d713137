using System.Runtime.InteropServices;
using System.Text.Json;
using LocalEcr.Api;

namespace LocalEcr.Json;

/// <summary>
/// A body whose member names or string values escape an unpaired UTF-16 surrogate (<c>"\ud800"</c>): valid JSON,
/// plain ASCII on the wire, but no string at all, so System.Text.Json refuses to read it
/// (InvalidOperationException). ECR answers a request it cannot deserialize with a 400 SerializationException, never
/// a 500, so the body is refused so before any handler reads it.
/// </summary>
internal static class JsonStrings
{
    public static void RefuseUnreadable(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    if (Escapes(JsonMarshal.GetRawUtf8PropertyName(member)))
                    {
                        Read(() => member.Name);
                    }

                    RefuseUnreadable(member.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RefuseUnreadable(item);
                }

                break;
            case JsonValueKind.String:
                // Only a string with a \u escape can hold an unpaired surrogate: a layer part's megabytes of base64
                // are looked at in place, never copied into a string.
                if (Escapes(JsonMarshal.GetRawUtf8Value(element)))
                {
                    Read(element.GetString);
                }

                break;
        }
    }

    /// <summary>
    /// A document inside a request string (a manifest, a policy) whose own strings escape an unpaired surrogate: the
    /// request's body was readable, this document is not. Invalid JSON there, as ECR names it, never a 500.
    /// </summary>
    public static void RefuseUnreadableIn(JsonElement root, string member)
    {
        try
        {
            RefuseUnreadable(root);
        }
        catch (JsonException)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at '{member}' failed to satisfy constraint: 'Invalid JSON: a string escapes an unpaired surrogate'");
        }
    }

    private static bool Escapes(ReadOnlySpan<byte> raw) => raw.IndexOf("\\u"u8) >= 0;

    private static void Read(Func<string?> read)
    {
        try
        {
            read();
        }
        catch (InvalidOperationException e)
        {
            throw new JsonException("a string escapes an unpaired surrogate", e);
        }
    }
}
