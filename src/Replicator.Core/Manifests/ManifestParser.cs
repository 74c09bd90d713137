using System.Text;
using System.Text.Json;
using Replicator.Core.Errors;
using Replicator.Core.Validation;

namespace Replicator.Core.Manifests;

/// <summary>
/// Parses a manifest string as ECR's BatchGetImage returns it (imageManifest, imageManifestMediaType) without
/// changing it. Every failure is a <see cref="ManifestException"/> naming what is wrong.
/// </summary>
public static class ManifestParser
{
    /// <summary>ECR's imageManifest limit (botocore model: 1..4,194,304), which is also the 4 MiB the OCI distribution spec lets registries enforce.</summary>
    public const int MaxManifestBytes = 4_194_304;

    /// <summary>Real manifests nest at most 5 levels (index, manifests, entry, platform, os.features); 16 leaves room and bounds the parser.</summary>
    public const int MaxDepth = 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static Manifest Parse(string manifestJson, string? declaredMediaType) => Parse(manifestJson, declaredMediaType, expectedDigest: null);

    /// <summary>
    /// Parses and, when <paramref name="expectedDigest"/> is given, checks the content is the one asked for: sha256 (or
    /// sha512) over the exact bytes, or for a signed schema 1 manifest also the digest of its JWS payload (a registry
    /// may address it by either). The expected digest, the one the source reported, becomes the manifest's
    /// <see cref="Manifest.ReferenceDigest"/>; without one it is sha256 over the exact bytes.
    /// </summary>
    public static Manifest Parse(string manifestJson, string? declaredMediaType, string? expectedDigest)
    {
        ArgumentNullException.ThrowIfNull(manifestJson);
        var bytes = ToBoundedUtf8(manifestJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException ex)
        {
            throw new ManifestException($"manifest is not valid JSON: {JsonErrorText.Describe(bytes, MaxDepth)}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // The duplicate-property check unescapes every property name and throws this for an escaped unpaired surrogate.
            throw new ManifestException("manifest is not valid Unicode (a property name escapes an unpaired surrogate)", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ManifestException("manifest must be a JSON object");
            }

            var mediaType = ResolveMediaType(root, declaredMediaType);
            var digest = Digest.Compute(bytes);
            var id = new Identity(digest, expectedDigest ?? digest, manifestJson);
            var manifest = MediaTypes.IsSchema1(mediaType) ? ReadSchema1(root, mediaType, id, bytes)
                : MediaTypes.IsIndex(mediaType) ? ReadIndex(root, mediaType, id, bytes.Length)
                : ReadImage(root, mediaType, id, bytes.Length);
            if (expectedDigest is not null)
            {
                CheckDigest(manifest, expectedDigest, bytes);
            }

            return manifest;
        }
    }

    private static byte[] ToBoundedUtf8(string manifestJson)
    {
        // A UTF-8 encoding is never shorter than the UTF-16 string, so the length alone refuses most oversize input unread.
        if (manifestJson.Length > MaxManifestBytes)
        {
            throw TooLarge(manifestJson.Length + "+");
        }

        try
        {
            var count = StrictUtf8.GetByteCount(manifestJson);
            if (count == 0)
            {
                throw new ManifestException("manifest is empty");
            }

            return count > MaxManifestBytes ? throw TooLarge(count.ToString(System.Globalization.CultureInfo.InvariantCulture)) : StrictUtf8.GetBytes(manifestJson);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ManifestException("manifest is not valid Unicode (it holds an unpaired surrogate)", ex);
        }
    }

    private static ManifestException TooLarge(string size) =>
        new($"manifest is {size} bytes, over the limit of {MaxManifestBytes} bytes");

    /// <summary>
    /// The <c>mediaType</c> inside the manifest wins over the declared one: it is part of the hashed bytes and is
    /// what a registry checks at PutImage. The declared type (ECR's imageManifestMediaType) fills in when the field
    /// is absent, which OCI allows and schema 1 always is; without either the structure decides.
    /// </summary>
    private static string ResolveMediaType(JsonElement root, string? declaredMediaType)
    {
        var inBody = JsonFields.OptionalString(root, "mediaType", string.Empty);
        if (inBody is not null)
        {
            return MediaTypes.IsManifest(inBody) ? inBody : throw Unsupported(inBody);
        }

        var declared = StripParameters(declaredMediaType);
        var schemaVersion = JsonFields.OptionalInt32(root, "schemaVersion", string.Empty);
        if (MediaTypes.IsManifest(declared))
        {
            return declared!;
        }

        if (declared is { Length: > 0 } && declared != "application/json")
        {
            throw Unsupported(declared);
        }

        if (schemaVersion == 1)
        {
            return Schema1Type(root);
        }

        if (root.TryGetProperty("manifests", out _))
        {
            return MediaTypes.OciIndex;
        }

        return root.TryGetProperty("config", out _)
            ? MediaTypes.OciManifest
            : throw new ManifestException("manifest type cannot be told: no mediaType field, no declared media type, and neither 'config' nor 'manifests'");
    }

    private static string Schema1Type(JsonElement root) =>
        root.TryGetProperty("signatures", out _) ? MediaTypes.DockerSchema1Signed : MediaTypes.DockerSchema1;

    private static string? StripParameters(string? mediaType)
    {
        var semicolon = mediaType?.IndexOf(';', StringComparison.Ordinal) ?? -1;
        return (semicolon >= 0 ? mediaType![..semicolon] : mediaType)?.Trim();
    }

    private static ManifestException Unsupported(string mediaType) =>
        new($"manifest media type {EcrNames.Quote(mediaType)} is not supported: expected one of {string.Join(", ", MediaTypes.AcceptedManifestTypes)}");

    private static void RequireSchemaVersion(JsonElement root, int expected, string mediaType)
    {
        var version = JsonFields.OptionalInt32(root, "schemaVersion", string.Empty);
        if (version != expected)
        {
            var found = version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing";
            throw JsonFields.Invalid("schemaVersion", $"must be {expected} for {mediaType}, found {found}");
        }
    }

    private static Manifest ReadImage(JsonElement root, string mediaType, Identity id, int size)
    {
        RequireSchemaVersion(root, 2, mediaType);
        if (root.TryGetProperty("manifests", out _))
        {
            throw JsonFields.Invalid("manifests", $"is not allowed in an image manifest ({mediaType})");
        }

        var config = JsonFields.OptionalObject(root, "config", string.Empty) ?? throw JsonFields.Invalid("config", "is missing");
        var layers = JsonFields.OptionalArray(root, "layers", string.Empty);
        return new Manifest(ManifestKind.Image, mediaType, id.Digest, id.Raw, id.Reference)
        {
            Size = size,
            Config = DescriptorReader.Read(config, "config"),
            Layers = layers is { } array ? DescriptorReader.ReadAll(array, "layers") : [],
            Subject = ReadSubject(root),
            ArtifactType = JsonFields.OptionalString(root, "artifactType", string.Empty),
            Annotations = JsonFields.Annotations(root, string.Empty),
        };
    }

    private static Manifest ReadIndex(JsonElement root, string mediaType, Identity id, int size)
    {
        RequireSchemaVersion(root, 2, mediaType);
        if (root.TryGetProperty("config", out _) || root.TryGetProperty("layers", out _))
        {
            throw new ManifestException($"manifest is declared as an index ({mediaType}) but has 'config' or 'layers'");
        }

        var children = DescriptorReader.ReadAll(JsonFields.RequiredArray(root, "manifests", string.Empty), "manifests", MaxManifestBytes);
        for (var i = 0; i < children.Count; i++)
        {
            if (!MediaTypes.IsManifest(children[i].MediaType))
            {
                throw JsonFields.Invalid($"manifests[{i}].mediaType", $"names {EcrNames.Quote(children[i].MediaType)}, which is not a manifest type this replicator can copy");
            }
        }

        return new Manifest(ManifestKind.Index, mediaType, id.Digest, id.Raw, id.Reference)
        {
            Size = size,
            Manifests = children,
            Subject = ReadSubject(root),
            ArtifactType = JsonFields.OptionalString(root, "artifactType", string.Empty),
            Annotations = JsonFields.Annotations(root, string.Empty),
        };
    }

    private static Manifest ReadSchema1(JsonElement root, string mediaType, Identity id, byte[] bytes)
    {
        RequireSchemaVersion(root, 1, mediaType);
        return new Manifest(ManifestKind.Schema1, mediaType, id.Digest, id.Raw, id.Reference)
        {
            Size = bytes.Length,
            Layers = Schema1Reader.ReadLayers(root),
            Schema1PayloadDigest = Schema1Reader.PayloadDigest(root, bytes),
        };
    }

    /// <summary>The exact text, its digest, and the digest it is identified by (see <see cref="Manifest.ReferenceDigest"/>).</summary>
    private readonly record struct Identity(string Digest, string Reference, string Raw);

    private static Descriptor? ReadSubject(JsonElement root) =>
        JsonFields.OptionalObject(root, "subject", string.Empty) is { } subject ? DescriptorReader.Read(subject, "subject", MaxManifestBytes) : null;

    private static void CheckDigest(Manifest manifest, string expectedDigest, byte[] bytes)
    {
        if (Digest.Validate(expectedDigest) is { } error)
        {
            throw new ManifestException($"expected {error}");
        }

        if (Digest.Matches(expectedDigest, bytes) || string.Equals(manifest.Schema1PayloadDigest, expectedDigest, StringComparison.Ordinal))
        {
            return;
        }

        throw new ManifestException($"manifest content hashes to {manifest.Digest}, not the requested {expectedDigest}");
    }
}
