using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Replicator.Core.Manifests;

namespace Replicator.Samples;

/// <summary>Writes the sample configs and manifests as compact JSON, with <c>+</c> left unescaped as registries' clients write it.</summary>
internal static class SampleJson
{
    public const string Created = "2026-01-01T00:00:00Z";

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Config(string architecture, string os, IEnumerable<string> diffIds, ulong seed) => Write(w =>
    {
        w.WriteString("architecture", architecture);
        w.WriteString("os", os);
        w.WriteString("created", Created);
        w.WriteStartObject("config");
        w.WriteStartArray("Env");
        w.WriteStringValue("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        w.WriteEndArray();
        w.WriteStartObject("Labels");
        w.WriteString("org.example.sample.seed", seed.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var diffId in diffIds)
        {
            w.WriteStringValue(diffId);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static byte[] InTotoStatement(string subjectDigest, string predicateType) => Write(w =>
    {
        w.WriteString("_type", "https://in-toto.io/Statement/v0.1");
        w.WriteString("predicateType", predicateType);
        w.WriteStartArray("subject");
        w.WriteStartObject();
        w.WriteString("name", "sample");
        w.WriteStartObject("digest");
        w.WriteString("sha256", subjectDigest[Digest.Sha256Prefix.Length..]);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartObject("predicate");
        w.WriteEndObject();
    });

    public static string ImageManifest(
        string mediaType,
        SampleBlob config,
        IEnumerable<(SampleBlob Blob, IReadOnlyDictionary<string, string>? Annotations)> layers,
        string? artifactType = null,
        SampleManifest? subject = null,
        bool inlineConfig = false) => Text(Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", mediaType);
        if (artifactType is not null)
        {
            w.WriteString("artifactType", artifactType);
        }

        w.WritePropertyName("config");
        Descriptor(w, config.MediaType, config.Digest, config.Size, data: inlineConfig ? ((BytesContent)config.Content).Bytes : (ReadOnlyMemory<byte>?)null);
        w.WriteStartArray("layers");
        foreach (var (blob, annotations) in layers)
        {
            Descriptor(w, blob.MediaType, blob.Digest, blob.Size, annotations: annotations);
        }

        w.WriteEndArray();
        if (subject is not null)
        {
            w.WritePropertyName("subject");
            Descriptor(w, subject.MediaType, subject.Digest, subject.Size);
            w.WriteStartObject("annotations");
            w.WriteString("org.opencontainers.image.created", Created);
            w.WriteEndObject();
        }
    }));

    public static string Index(string mediaType, IEnumerable<(SampleManifest Child, Platform Platform, IReadOnlyDictionary<string, string>? Annotations)> children) => Text(Write(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", mediaType);
        w.WriteStartArray("manifests");
        foreach (var (child, platform, annotations) in children)
        {
            Descriptor(w, child.MediaType, child.Digest, child.Size, platform, annotations);
        }

        w.WriteEndArray();
    }));

    private static void Descriptor(
        Utf8JsonWriter w,
        string mediaType,
        string digest,
        long size,
        Platform? platform = null,
        IReadOnlyDictionary<string, string>? annotations = null,
        ReadOnlyMemory<byte>? data = null)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", mediaType);
        w.WriteString("digest", digest);
        w.WriteNumber("size", size);
        if (data is { } bytes)
        {
            w.WriteBase64String("data", bytes.Span);
        }

        if (annotations is { Count: > 0 })
        {
            w.WriteStartObject("annotations");
            foreach (var (key, value) in annotations)
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
        }

        if (platform is not null)
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", platform.Architecture);
            w.WriteString("os", platform.Os);
            if (platform.Variant is not null)
            {
                w.WriteString("variant", platform.Variant);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
