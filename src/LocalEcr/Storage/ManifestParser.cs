using System.Text.Json;
using LocalEcr.Json;
using LocalEcr.Api;

namespace LocalEcr.Storage;

/// <summary>
/// Reads what PutImage must check in a manifest: Docker schema 1 (<c>fsLayers[].blobSum</c>), Docker
/// schema 2 and OCI manifests (config and layers), manifest lists and OCI indexes (children), and the OCI
/// <c>subject</c>, <c>artifactType</c> and annotations for the referrers listing.
/// </summary>
internal static class ManifestParser
{
    public static ManifestInfo Parse(byte[] manifest, string? declaredMediaType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(manifest);
        }
        catch (JsonException)
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
        }

        using (document)
        {
            var root = document.RootElement;
            JsonStrings.RefuseUnreadableIn(root, "imageManifest");
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw EcrException.InvalidParameter("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Manifest must be a JSON object'");
            }

            var inner = Text(root, "mediaType");
            if (declaredMediaType is not null && inner is not null && inner != declaredMediaType)
            {
                throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Manifest media type '{inner}' does not match '{declaredMediaType}''");
            }

            // The model's PutImageRequest.imageManifestMediaType: "If you push an image manifest that does not contain
            // the mediaType field, you must specify the imageManifestMediaType in the request." OCI makes the field
            // optional and Docker schema 1 has none, so ECR has nothing to go by: refused, not guessed.
            var mediaType = declaredMediaType ?? inner ?? throw EcrException.InvalidParameter(
                "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'The manifest has no mediaType field, so imageManifestMediaType must be specified'");
            RequireSupported(root, mediaType);
            return MediaTypes.IsSchema1(mediaType) ? Schema1(mediaType, Required(root, "fsLayers"))
                : MediaTypes.IsIndex(mediaType) ? Index(root, mediaType, Required(root, "manifests"))
                : Image(root, mediaType);
        }
    }

    // ECR stores the manifest types it lists as supported, Docker image manifest V2 schema 1 and 2 (and lists) and
    // OCI (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html), each with the
    // schemaVersion its specification fixes: 2 for Docker V2 schema 2 and OCI
    // (https://github.com/opencontainers/image-spec/blob/main/manifest.md, "This REQUIRED property ... MUST be 2"),
    // 1 for schema 1. An image manifest has config and layers, a list or index manifests, as the specifications
    // require; anything else is not an image ECR would keep.
    private static void RequireSupported(JsonElement root, string mediaType)
    {
        if (!MediaTypes.IsSupportedManifest(mediaType))
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: 'Unsupported manifest media type '{mediaType}''");
        }

        var expected = MediaTypes.IsSchema1(mediaType) ? 1 : 2;
        if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var found) || found != expected)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'schemaVersion must be {expected} for {mediaType}'");
        }

        if (!MediaTypes.IsSchema1(mediaType) && !MediaTypes.IsIndex(mediaType))
        {
            if (!root.TryGetProperty("config", out var config) || config.ValueKind != JsonValueKind.Object)
            {
                throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'A {mediaType} manifest needs a config descriptor'");
            }

            Required(root, "layers");
        }
    }

    private static JsonElement Required(JsonElement root, string member) =>
        root.TryGetProperty(member, out var value)
            ? value
            : throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'The manifest needs {member}'");

    private static ManifestInfo Schema1(string mediaType, JsonElement fsLayers)
    {
        var blobs = Descriptors(fsLayers, "fsLayers", "blobSum").Select(d => d.Digest).Distinct(StringComparer.Ordinal).ToList();
        return new ManifestInfo { MediaType = mediaType, Blobs = blobs };
    }

    private static ManifestInfo Index(JsonElement root, string mediaType, JsonElement manifests)
    {
        var children = Descriptors(manifests, "manifests", "digest").Select(d => d.Digest).Distinct(StringComparer.Ordinal).ToList();
        return new ManifestInfo
        {
            MediaType = mediaType,
            Children = children,
            ArtifactType = ArtifactType(root),
            SubjectDigest = Subject(root),
            Annotations = Annotations(root),
        };
    }

    private static ManifestInfo Image(JsonElement root, string mediaType)
    {
        var blobs = new List<string>();
        var foreign = new List<string>();
        long size = 0;
        string? configMediaType = null;
        if (root.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object)
        {
            var descriptor = Descriptor(config, "config", "digest");
            blobs.Add(descriptor.Digest);
            size += descriptor.Size;
            configMediaType = descriptor.MediaType;
        }

        if (root.TryGetProperty("layers", out var layers))
        {
            foreach (var layer in Descriptors(layers, "layers", "digest"))
            {
                size += layer.Size;
                if (MediaTypes.IsSkippedLayer(layer.MediaType))
                {
                    foreign.Add(layer.Digest);
                }
                else if (!blobs.Contains(layer.Digest))
                {
                    blobs.Add(layer.Digest);
                }
            }
        }

        return new ManifestInfo
        {
            MediaType = mediaType,
            Blobs = blobs,
            ForeignLayers = foreign,
            ConfigMediaType = configMediaType,
            ArtifactType = ArtifactType(root) ?? configMediaType,
            SubjectDigest = Subject(root),
            Annotations = Annotations(root),
            DeclaredSize = size,
        };
    }

    private static List<(string Digest, long Size, string? MediaType)> Descriptors(JsonElement array, string member, string digestMember)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{member} must be an array'");
        }

        return [.. array.EnumerateArray().Select(e => Descriptor(e, member, digestMember))];
    }

    private static (string Digest, long Size, string? MediaType) Descriptor(JsonElement element, string member, string digestMember, string? what = null)
    {
        var digest = element.ValueKind == JsonValueKind.Object ? Text(element, digestMember) : null;
        if (!Digests.IsWellFormed(digest))
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{what ?? member + " entries need"} a valid {digestMember}'");
        }

        // A descriptor's size is required, the blob's length in bytes (OCI image spec, descriptor.md: "size ...
        // REQUIRED ... int64"; Docker's image manifest V2, schema 2, the same). Schema 1's fsLayers carry none.
        long size = 0;
        if (digestMember == "digest"
            && !(element.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt64(out size) && size >= 0))
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{what ?? member + " entries need"} a size, a non-negative integer'");
        }

        // So is its mediaType (OCI image spec, descriptor.md: "mediaType ... REQUIRED"; schema 2 the same), which the
        // replicator's parser requires too: a descriptor without one would pass here and fail the copy on AWS, or
        // the other way round, so the stricter reading holds on both sides (docs/fidelity.md).
        var mediaType = Text(element, "mediaType");
        if (digestMember == "digest" && string.IsNullOrEmpty(mediaType))
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'imageManifest' failed to satisfy constraint: '{what ?? member + " entries need"} a mediaType, a non-empty string'");
        }

        return (digest!, size, WithoutParameters(mediaType, member));
    }

    // The subject is a descriptor like config, layers and manifests (OCI image spec, manifest.md: "This OPTIONAL
    // property specifies a descriptor of another manifest"), so it passes the same check: an object whose digest
    // satisfies the model's LayerDigest pattern and whose mediaType has no parameters. A subject of another JSON type
    // (a string, an array, null) is refused, not ignored.
    private static string? Subject(JsonElement root)
    {
        if (!root.TryGetProperty("subject", out var subject))
        {
            return null;
        }

        if (subject.ValueKind != JsonValueKind.Object)
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageManifest' failed to satisfy constraint: 'subject must be a descriptor object'");
        }

        return Descriptor(subject, "subject", "digest", "subject needs").Digest;
    }

    // The model's ArtifactType, the shape ECR answers artifactType in (ImageReferrer), is 1..255 characters.
    private static string? ArtifactType(JsonElement root)
    {
        var artifactType = Text(root, "artifactType");
        if (artifactType is { Length: 0 or > 255 })
        {
            throw EcrException.InvalidParameter(
                $"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'artifactType must be 1 to 255 characters long, not {artifactType.Length}'");
        }

        return WithoutParameters(artifactType, "artifactType");
    }

    // ECR refuses a media type with parameters (a ';', as in the Sigstore bundle's
    // "application/vnd.dev.sigstore.bundle+json;version=0.2") in artifactType and in a descriptor's mediaType, though
    // the OCI image spec allows them: "ECR not accepting content types which contain a `;` character remains"
    // (https://github.com/sigstore/sigstore-js/pull/1058, 2024-03-08), the still open request to loosen it
    // (https://github.com/aws/containers-roadmap/issues/2306). ECR's text for a manifest it refused, in 2023 any with an
    // artifactType before it took OCI 1.1, was InvalidParameterException "Invalid parameter at 'ImageManifest' failed
    // to satisfy constraint: 'Invalid JSON syntax'" (https://github.com/oras-project/oras/issues/1133). ECR may have
    // loosened the rule since; refusing is the stricter side. The text here names the field, where ECR's names none.
    private static string? WithoutParameters(string? mediaType, string member) =>
        mediaType is null || !mediaType.Contains(';', StringComparison.Ordinal)
            ? mediaType
            : throw EcrException.InvalidParameter(
                $"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Media type '{mediaType}' of {member} has parameters (';'), which ECR does not accept'");

    private static List<KeyValuePair<string, string>> Annotations(JsonElement root) =>
        root.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object
            ? [.. a.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!))]
            : [];

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
