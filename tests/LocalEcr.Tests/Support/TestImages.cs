using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace LocalEcr.Tests.Support;

/// <summary>Builds repositories, blobs and manifests through the API itself.</summary>
internal static class TestImages
{
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerConfig = "application/vnd.docker.container.image.v1+json";
    public const string DockerLayer = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>The rest of a download, read on the thread pool, so a test can see it held before it releases it.</summary>
    public static Task<byte[]> ReadRestInBackground(Stream stream) => Task.Run(async () =>
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    });

    public static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Digest(string manifest) => Digest(Encoding.UTF8.GetBytes(manifest));

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <param name="exclusionFilter">One WILDCARD tag-mutability exclusion filter (with a *_WITH_EXCLUSION mutability).</param>
    public static async Task CreateRepositoryAsync(EcrTestClient client, string name, string mutability = "MUTABLE", string? exclusionFilter = null)
    {
        var body = new JsonObject { ["repositoryName"] = name, ["imageTagMutability"] = mutability };
        if (exclusionFilter is not null)
        {
            body["imageTagMutabilityExclusionFilters"] = new JsonArray(new JsonObject { ["filterType"] = "WILDCARD", ["filter"] = exclusionFilter });
        }

        (await client.CallAsync("CreateRepository", body)).EnsureOk();
    }

    /// <summary>Starts a layer upload in <paramref name="repository"/> and returns its upload id.</summary>
    public static async Task<string> InitiateUploadAsync(EcrTestClient client, string repository) =>
        (await client.CallAsync("InitiateLayerUpload", new JsonObject { ["repositoryName"] = repository })).EnsureOk().Json["uploadId"]!.GetValue<string>();

    public static async Task<string> UploadBlobAsync(EcrTestClient client, string repository, byte[] data, int partSize = 6 * 1024 * 1024)
    {
        var uploadId = await InitiateUploadAsync(client, repository);
        for (var offset = 0; offset < data.Length; offset += partSize)
        {
            var length = Math.Min(partSize, data.Length - offset);
            (await client.CallAsync("UploadLayerPart", Part(repository, uploadId, data, offset, length))).EnsureOk();
        }

        var digest = Digest(data);
        (await client.CallAsync("CompleteLayerUpload", new JsonObject
        {
            ["repositoryName"] = repository, ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(digest),
        })).EnsureOk();
        return digest;
    }

    public static JsonObject Part(string repository, string uploadId, byte[] data, int offset, int length) => new()
    {
        ["repositoryName"] = repository,
        ["uploadId"] = uploadId,
        ["partFirstByte"] = offset,
        ["partLastByte"] = offset + length - 1,
        ["layerPartBlob"] = Convert.ToBase64String(data, offset, length),
    };

    /// <summary>A Docker schema 2 manifest; spacing kept unusual on purpose so re-serialisation would show.</summary>
    public static string ImageManifest(string configDigest, long configSize, params (string Digest, long Size, string MediaType)[] layers)
    {
        var layerText = string.Join(",", layers.Select(l => $"{{\"mediaType\": \"{l.MediaType}\", \"size\": {l.Size}, \"digest\": \"{l.Digest}\"}}"));
        return $"{{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"{DockerManifest}\",\n   \"config\": {{\"mediaType\": \"{DockerConfig}\", \"size\": {configSize}, \"digest\": \"{configDigest}\"}},\n   \"layers\": [{layerText}]\n}}";
    }

    public static string Index(params string[] childDigests) =>
        $"{{\"schemaVersion\":2,\"mediaType\":\"{OciIndex}\",\"manifests\":[{string.Join(",", childDigests.Select(d => $"{{\"mediaType\":\"{OciManifest}\",\"size\":100,\"digest\":\"{d}\",\"platform\":{{\"architecture\":\"amd64\",\"os\":\"linux\"}}}}"))}]}}";

    /// <summary>Puts an image whose layer is the given blob, so ECR lets it be downloaded (unreferenced layers are LayerInaccessible).</summary>
    public static async Task ReferenceLayerAsync(EcrTestClient client, string repository, string layerDigest, long layerSize)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"layer\":\"{layerDigest}\"}}");
        var configDigest = await UploadBlobAsync(client, repository, config);
        var manifest = ImageManifest(configDigest, config.Length, (layerDigest, layerSize, DockerLayer));
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = repository, ["imageManifest"] = manifest })).EnsureOk();
    }

    /// <summary>A download URL for a layer of <paramref name="repository"/> (GetDownloadUrlForLayer, which must succeed).</summary>
    public static async Task<string> DownloadUrlAsync(EcrTestClient client, string repository, string layerDigest) =>
        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = repository, ["layerDigest"] = layerDigest }))
            .EnsureOk().Json["downloadUrl"]!.GetValue<string>();

    /// <summary>Uploads a config and one layer, then puts a manifest naming them.</summary>
    public static async Task<(string Digest, string Manifest)> PushImageAsync(EcrTestClient client, string repository, string? tag, int seed)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":{seed}}}");
        var layer = RandomBytes(1000 + seed, seed);
        var configDigest = await UploadBlobAsync(client, repository, config);
        var layerDigest = await UploadBlobAsync(client, repository, layer);
        var manifest = ImageManifest(configDigest, config.Length, (layerDigest, layer.Length, DockerLayer));
        var body = new JsonObject { ["repositoryName"] = repository, ["imageManifest"] = manifest };
        if (tag is not null)
        {
            body["imageTag"] = tag;
        }

        (await client.CallAsync("PutImage", body)).EnsureOk();
        return (Digest(manifest), manifest);
    }

    public static JsonObject ImageId(string? digest = null, string? tag = null)
    {
        var id = new JsonObject();
        if (digest is not null)
        {
            id["imageDigest"] = digest;
        }

        if (tag is not null)
        {
            id["imageTag"] = tag;
        }

        return id;
    }
}
