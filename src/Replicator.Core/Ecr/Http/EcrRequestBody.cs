using System.Buffers.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Http;

/// <summary>Writes request bodies into pooled buffers.</summary>
internal static class EcrRequestBody
{
    private const int SmallBodyCapacity = 4096;

    // Room for everything of an UploadLayerPart body but the blob: names, ids (escaped at worst 6 bytes a char), numbers.
    private const int UploadLayerPartOverhead = 256;

    // The default encoder writes '"' and '+' as \u0022 and \u002B: valid, but a manifest full of quotes grows by
    // two thirds. The bodies go to an API, never into HTML, so the relaxed encoder (what AWS SDKs emit) is safe.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static PooledBufferWriter Serialize<T>(T request, JsonTypeInfo<T> typeInfo)
    {
        var body = new PooledBufferWriter(SmallBodyCapacity);
        try
        {
            using var writer = new Utf8JsonWriter(body, WriterOptions);
            JsonSerializer.Serialize(writer, request, typeInfo);
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The UploadLayerPart body, the same bytes <see cref="Serialization.EcrJsonContext"/> would produce, but with
    /// the part base64-encoded once, straight into a buffer sized for it (Utf8JsonWriter encodes base64 with
    /// <c>Base64.EncodeToUtf8</c> into the writer's output): no base64 string, no second copy of the part.
    /// </summary>
    public static PooledBufferWriter SerializeUploadLayerPart(UploadLayerPartRequest request)
    {
        var strings = (request.RegistryId?.Length ?? 0) + (request.RepositoryName?.Length ?? 0) + (request.UploadId?.Length ?? 0);
        var capacity = checked(Base64.GetMaxEncodedToUtf8Length(request.LayerPartBlob.Length) + UploadLayerPartOverhead + (strings * 6));
        var body = new PooledBufferWriter(capacity);
        try
        {
            using var writer = new Utf8JsonWriter(body, WriterOptions);
            writer.WriteStartObject();
            WriteString(writer, "registryId"u8, request.RegistryId);
            WriteString(writer, "repositoryName"u8, request.RepositoryName);
            WriteString(writer, "uploadId"u8, request.UploadId);
            WriteNumber(writer, "partFirstByte"u8, request.PartFirstByte);
            WriteNumber(writer, "partLastByte"u8, request.PartLastByte);
            writer.WriteBase64String("layerPartBlob"u8, request.LayerPartBlob.Span);
            writer.WriteEndObject();
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The members of an UploadLayerPart body that follow a shared <see cref="IEncodedLayerPart.Head"/>:
    /// <c>,"registryId":...,"partLastByte":N}</c>. Written as an object by Utf8JsonWriter (so escaped as every other
    /// body) whose opening brace becomes the comma after the head.
    /// </summary>
    public static PooledBufferWriter SerializeUploadLayerPartTail(UploadLayerPartRequest request)
    {
        var body = new PooledBufferWriter(SmallBodyCapacity);
        try
        {
            using (var writer = new Utf8JsonWriter(body, WriterOptions))
            {
                writer.WriteStartObject();
                WriteString(writer, "registryId"u8, request.RegistryId);
                WriteString(writer, "repositoryName"u8, request.RepositoryName);
                WriteString(writer, "uploadId"u8, request.UploadId);
                WriteNumber(writer, "partFirstByte"u8, request.PartFirstByte);
                WriteNumber(writer, "partLastByte"u8, request.PartLastByte);
                writer.WriteEndObject();
            }

            var written = body.WrittenMemory;
            if (written.Length < 3)
            {
                throw new ArgumentException("an UploadLayerPart request needs at least one member besides the part", nameof(request));
            }

            body.WrittenSpanForUpdate[0] = (byte)',';
            return body;
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }
}
