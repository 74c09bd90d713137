using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// PutImage keeps only what ECR stores: a manifest of a supported type
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-manifest-formats.html), with its type's schemaVersion
/// and shape (config and layers for an image manifest, manifests for a list or index).
/// </summary>
public sealed class ManifestShapeTests
{
    private static async Task<(LocalEcrServer Server, EcrTestClient Client, string Config, string Layer)> StartAsync()
    {
        var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var config = await TestImages.UploadBlobAsync(client, "app", """{"architecture":"amd64","os":"linux"}"""u8.ToArray());
        var layer = await TestImages.UploadBlobAsync(client, "app", TestImages.RandomBytes(500, 3));
        return (server, client, config, layer);
    }

    private static string ImageBody(string config, string layer) =>
        $$"""
        "config":{"mediaType":"{{TestImages.DockerConfig}}","size":37,"digest":"{{config}}"},"layers":[{"mediaType":"{{TestImages.DockerLayer}}","size":500,"digest":"{{layer}}"}]
        """;

    public static TheoryData<string, string?> Refused() => new()
    {
        { "{}", null },
        { """{"schemaVersion":3}""", null },
        { """{"schemaVersion":3,"mediaType":"application/vnd.oci.image.manifest.v1+json",IMAGE}""", null },
        { """{"schemaVersion":"2",IMAGE}""", null },
        { """{"schemaVersion":1,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",IMAGE}""", null },
        { """{"schemaVersion":2,IMAGE}""", "text/plain" },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",IMAGE}""", null },
        { """{"schemaVersion":2,IMAGE}""", "application/vnd.oci.image.index.v1+json" },
        { """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":37,"digest":"CONFIG"}}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]}""", null },
        { """{"schemaVersion":1,"name":"app","tag":"old","architecture":"amd64","history":[],"signatures":[]}""", "application/vnd.docker.distribution.manifest.v1+prettyjws" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_manifest_ECR_would_not_store_is_InvalidParameter_and_not_kept(string manifest, string? mediaType)
    {
        var (server, client, config, layer) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var body = new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageManifest"] = manifest.Replace("IMAGE", ImageBody(config, layer), StringComparison.Ordinal).Replace("CONFIG", config, StringComparison.Ordinal),
            ["imageTag"] = "v1",
        };
        if (mediaType is not null)
        {
            body["imageManifestMediaType"] = mediaType;
        }

        (await client.CallAsync("PutImage", body)).AssertError("InvalidParameterException");

        Assert.Empty((await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["imageIds"]!.AsArray());
    }

    [Theory]
    [InlineData("application/vnd.docker.distribution.manifest.v2+json", true)]
    [InlineData("application/vnd.oci.image.manifest.v1+json", true)]
    [InlineData("application/vnd.oci.image.manifest.v1+json", false)]
    public async Task An_image_manifest_with_its_schemaVersion_config_and_layers_is_kept(string mediaType, bool declaredInside)
    {
        var (server, client, config, layer) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var inner = declaredInside ? $"\"mediaType\":\"{mediaType}\"," : string.Empty;
        var manifest = $"{{\"schemaVersion\":2,{inner}{ImageBody(config, layer)}}}";

        (await client.CallAsync("PutImage", new JsonObject
        {
            ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1", ["imageManifestMediaType"] = mediaType,
        })).EnsureOk();
    }
}
