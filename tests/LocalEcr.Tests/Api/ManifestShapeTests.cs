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

        // Valid JSON that is no object, and a list of descriptors that is no array (OCI image spec, manifest.md:
        // "layers array of objects", image-index.md: "manifests array of objects").
        { "[]", "application/vnd.oci.image.manifest.v1+json" },
        { "\"manifest\"", "application/vnd.oci.image.manifest.v1+json" },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":37,"digest":"CONFIG"},"layers":{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":500,"digest":"LAYER"}}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":"none"}""", null },

        // A descriptor's size is required, a non-negative integer (OCI image spec, descriptor.md).
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":37,"digest":"CONFIG"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"LAYER"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":-5,"digest":"CONFIG"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":500,"digest":"LAYER"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":"37","digest":"CONFIG"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":500,"digest":"LAYER"}]}""", null },

        // So is its mediaType, a non-empty string (descriptor.md), in every descriptor: config, layers, manifests, subject.
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"size":37,"digest":"CONFIG"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":500,"digest":"LAYER"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":37,"digest":"CONFIG"},"layers":[{"mediaType":"","size":500,"digest":"LAYER"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":37,"digest":"CONFIG"},"layers":[{"mediaType":7,"size":500,"digest":"LAYER"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"size":37,"digest":"CONFIG"}]}""", null },
        { """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",IMAGE,"subject":{"size":37,"digest":"CONFIG"}}""", null },
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
            ["imageManifest"] = manifest.Replace("IMAGE", ImageBody(config, layer), StringComparison.Ordinal).Replace("CONFIG", config, StringComparison.Ordinal).Replace("LAYER", layer, StringComparison.Ordinal),
            ["imageTag"] = "v1",
        };
        if (mediaType is not null)
        {
            body["imageManifestMediaType"] = mediaType;
        }

        (await client.CallAsync("PutImage", body)).AssertError("InvalidParameterException");

        Assert.Empty((await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["imageIds"]!.AsArray());
    }

    private const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    // The Sigstore bundle's type before and after it dropped its parameter; with the second, sigstore-js no longer
    // rewrites the type for ECR (https://github.com/sigstore/sigstore-js/pull/1095).
    private const string BundleV02 = "application/vnd.dev.sigstore.bundle+json;version=0.2";
    private const string BundleV03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

    public static TheoryData<string, string, string> ParameterisedMediaTypes() => new()
    {
        { "artifactType", BundleV03, BundleV02 },
        { "layers", BundleV03, BundleV02 },
        { "config", "application/vnd.oci.image.config.v1+json", "application/vnd.oci.image.config.v1+json; charset=utf-8" },
        { "subject", TestImages.DockerManifest, TestImages.DockerManifest + ";charset=utf-8" },
        { "index artifactType", BundleV03, BundleV02 },
        { "manifests", TestImages.DockerManifest, TestImages.DockerManifest + ";charset=utf-8" },
    };

    /// <summary>
    /// ECR refuses a media type with parameters in artifactType and in a descriptor's mediaType
    /// (https://github.com/sigstore/sigstore-js/pull/1058, 2024; https://github.com/aws/containers-roadmap/issues/2306),
    /// where the same manifest with the type written without them is kept.
    /// </summary>
    [Theory]
    [MemberData(nameof(ParameterisedMediaTypes))]
    public async Task A_media_type_with_parameters_is_refused_where_the_same_manifest_without_them_is_kept(string member, string accepted, string refused)
    {
        var (server, client, config, layer) = await StartAsync();
        await using var _ = server;
        using var __ = client;
        var (child, childManifest) = await TestImages.PushImageAsync(client, "app", null, 7);
        var childSize = System.Text.Encoding.UTF8.GetByteCount(childManifest);
        string Manifest(string type)
        {
            string Of(string name, string otherwise) => member == name ? type : otherwise;
            if (member.StartsWith("index ", StringComparison.Ordinal) || member == "manifests")
            {
                var artifactType = member == "index artifactType" ? $"\"artifactType\":\"{type}\"," : string.Empty;
                return $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",{{artifactType}}"manifests":[{"mediaType":"{{Of("manifests", TestImages.DockerManifest)}}","size":{{childSize}},"digest":"{{child}}"}]}""";
            }

            var artifact = member == "artifactType" ? $"\"artifactType\":\"{type}\"," : string.Empty;
            var subject = member == "subject" ? $",\"subject\":{{\"mediaType\":\"{type}\",\"size\":{childSize},\"digest\":\"{child}\"}}" : string.Empty;
            return $$"""{"schemaVersion":2,"mediaType":"{{OciManifest}}",{{artifact}}"config":{"mediaType":"{{Of("config", "application/vnd.oci.image.config.v1+json")}}","size":37,"digest":"{{config}}"},"layers":[{"mediaType":"{{Of("layers", "application/vnd.oci.image.layer.v1.tar")}}","size":500,"digest":"{{layer}}"}]{{subject}}}""";
        }

        JsonObject Put(string manifest) => new() { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1" };

        var refusal = await client.CallAsync("PutImage", Put(Manifest(refused)));
        refusal.AssertError("InvalidParameterException");
        Assert.Contains($"'{refused}'", refusal.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "v1")) }))
            .AssertError("ImageNotFoundException");

        (await client.CallAsync("PutImage", Put(Manifest(accepted)))).EnsureOk();
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
