using System.Buffers.Text;
using System.Text.Json;

namespace Replicator.Core.Manifests;

/// <summary>
/// Docker image manifest v2 schema 1 (docker/distribution docs/spec/manifest-v2-1.md): layers are
/// <c>fsLayers[].blobSum</c>, there is no config, and a signed manifest is a JWS whose payload is the manifest
/// without its <c>signatures</c> member.
/// </summary>
internal static class Schema1Reader
{
    public static IReadOnlyList<Descriptor> ReadLayers(JsonElement root)
    {
        var fsLayers = JsonFields.RequiredArray(root, "fsLayers", string.Empty);
        var layers = new List<Descriptor>(fsLayers.GetArrayLength());
        var index = 0;
        foreach (var item in fsLayers.EnumerateArray())
        {
            var path = $"fsLayers[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw JsonFields.Invalid(path, "must be an object");
            }

            var blobSum = JsonFields.RequiredString(item, "blobSum", path);
            if (Digest.Validate(blobSum) is { } error)
            {
                throw JsonFields.Invalid(path + ".blobSum", $"is not a valid digest: {error}");
            }

            layers.Add(new Descriptor(MediaTypes.DockerLayer, blobSum, Descriptor.UnknownSize));
            index++;
        }

        return layers;
    }

    /// <summary>
    /// The digest of the JWS payload: the first <c>formatLength</c> bytes followed by the base64url-decoded
    /// <c>formatTail</c> of the first signature's protected header (docker/libtrust jsonsign.go); null if unsigned.
    /// </summary>
    public static string? PayloadDigest(JsonElement root, ReadOnlySpan<byte> raw)
    {
        if (JsonFields.OptionalArray(root, "signatures", string.Empty) is not { } signatures || signatures.GetArrayLength() == 0)
        {
            return null;
        }

        var first = signatures[0];
        if (first.ValueKind != JsonValueKind.Object)
        {
            throw JsonFields.Invalid("signatures[0]", "must be an object");
        }

        var encoded = JsonFields.RequiredString(first, "protected", "signatures[0]");
        int formatLength;
        byte[] tail;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(encoded), new JsonDocumentOptions { MaxDepth = 4 });
            formatLength = header.RootElement.GetProperty("formatLength").GetInt32();
            tail = Base64Url.DecodeFromChars(header.RootElement.GetProperty("formatTail").GetString());
        }
        catch (Exception ex) when (ex is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new ManifestException("manifest field 'signatures[0].protected' is not a JWS protected header with formatLength and formatTail", ex);
        }

        if (formatLength < 0 || formatLength > raw.Length)
        {
            throw JsonFields.Invalid("signatures[0].protected", $"has formatLength {formatLength}, outside the manifest's {raw.Length} bytes");
        }

        var payload = new byte[formatLength + tail.Length];
        raw[..formatLength].CopyTo(payload);
        tail.CopyTo(payload.AsSpan(formatLength));
        return Digest.Compute(payload);
    }
}
