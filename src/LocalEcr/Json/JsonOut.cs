using System.Text.Json;

namespace LocalEcr.Json;

internal static class JsonOut
{
    /// <summary>AWS JSON timestamps: epoch seconds, with a fraction.</summary>
    public static void WriteTimestamp(this Utf8JsonWriter writer, string name, DateTimeOffset value) =>
        writer.WriteNumber(name, Math.Round(value.ToUnixTimeMilliseconds() / 1000.0, 3));

    public static void WriteOptionalString(this Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteImageId(this Utf8JsonWriter writer, string name, string? digest, string? tag)
    {
        writer.WriteStartObject(name);
        writer.WriteOptionalString("imageDigest", digest);
        writer.WriteOptionalString("imageTag", tag);
        writer.WriteEndObject();
    }
}
