using System.Text.Json;

namespace Replicator.Core.Manifests;

/// <summary>Reads and validates one descriptor object (OCI image-spec descriptor.md).</summary>
internal static class DescriptorReader
{
    /// <summary>
    /// The largest blob a descriptor may declare: ECR's layer size quota, 52,000 MiB (not adjustable,
    /// docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html). A source in ECR cannot hold more.
    /// </summary>
    public const long MaxBlobSize = 52_000L * 1024 * 1024;

    public static Descriptor Read(JsonElement element, string path, long maxSize = MaxBlobSize)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw JsonFields.Invalid(path, "must be a descriptor object");
        }

        var mediaType = JsonFields.RequiredString(element, "mediaType", path);
        var digest = JsonFields.RequiredString(element, "digest", path);
        if (Digest.Validate(digest) is { } digestError)
        {
            throw JsonFields.Invalid(JsonFields.Join(path, "digest"), $"is not a valid digest: {digestError}");
        }

        var size = ReadSize(element, path, maxSize);
        return new Descriptor(mediaType, digest, size)
        {
            Urls = JsonFields.StringArray(element, "urls", path),
            Annotations = JsonFields.Annotations(element, path),
            Platform = ReadPlatform(element, path),
            ArtifactType = JsonFields.OptionalString(element, "artifactType", path),
            Data = ReadData(element, path, digest, size),
        };
    }

    public static IReadOnlyList<Descriptor> ReadAll(JsonElement array, string path, long maxSize = MaxBlobSize)
    {
        var descriptors = new List<Descriptor>(array.GetArrayLength());
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            descriptors.Add(Read(item, $"{path}[{index}]", maxSize));
            index++;
        }

        return descriptors;
    }

    private static long ReadSize(JsonElement element, string path, long maxSize)
    {
        var sizePath = JsonFields.Join(path, "size");
        if (!element.TryGetProperty("size", out var value))
        {
            throw JsonFields.Invalid(sizePath, "is missing");
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var size))
        {
            throw JsonFields.Invalid(sizePath, "must be an integer");
        }

        if (size < 0)
        {
            throw JsonFields.Invalid(sizePath, $"is negative ({size})");
        }

        return size <= maxSize ? size : throw JsonFields.Invalid(sizePath, $"is {size} bytes, over the limit of {maxSize}");
    }

    private static Platform? ReadPlatform(JsonElement element, string path)
    {
        if (JsonFields.OptionalObject(element, "platform", path) is not { } platform)
        {
            return null;
        }

        var platformPath = JsonFields.Join(path, "platform");
        return new Platform(
            JsonFields.RequiredString(platform, "architecture", platformPath),
            JsonFields.RequiredString(platform, "os", platformPath),
            JsonFields.OptionalString(platform, "variant", platformPath),
            JsonFields.OptionalString(platform, "os.version", platformPath))
        {
            OsFeatures = JsonFields.StringArray(platform, "os.features", platformPath),
        };
    }

    private static ReadOnlyMemory<byte>? ReadData(JsonElement element, string path, string digest, long size)
    {
        if (JsonFields.OptionalString(element, "data", path) is not { } encoded)
        {
            return null;
        }

        var dataPath = JsonFields.Join(path, "data");
        byte[] data;
        try
        {
            data = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw JsonFields.Invalid(dataPath, "is not valid base64");
        }

        if (data.Length != size)
        {
            throw JsonFields.Invalid(dataPath, $"holds {data.Length} bytes but the descriptor's size is {size}");
        }

        return Digest.Matches(digest, data)
            ? data
            : throw JsonFields.Invalid(dataPath, $"does not hash to the descriptor's digest {digest}");
    }
}
