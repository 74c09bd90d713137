using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class ImageListingTests
{
    [Fact]
    public async Task DescribeImages_reports_tags_size_type_and_time_and_filters_ids()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TimeProvider = time });
        using var client = new EcrTestClient(server) { Clock = time };
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 1);
        var (child2, _) = await TestImages.PushImageAsync(client, "app", null, 2);
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = TestImages.Index(digest, child2), ["imageTag"] = "multi" })).EnsureOk();

        var detail = (await client.CallAsync("DescribeImages", new JsonObject
        {
            ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "v1")),
        })).EnsureOk().Json["imageDetails"]![0]!;
        Assert.Equal(digest, detail["imageDigest"]!.GetValue<string>());
        Assert.Equal("v1", detail["imageTags"]![0]!.GetValue<string>());
        var config = System.Text.Encoding.UTF8.GetByteCount("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":1}");
        Assert.Equal(config + 1001, detail["imageSizeInBytes"]!.GetValue<long>());
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), (long)detail["imagePushedAt"]!.GetValue<double>());
        Assert.Equal(TestImages.DockerManifest, detail["imageManifestMediaType"]!.GetValue<string>());
        Assert.Equal(TestImages.DockerConfig, detail["artifactMediaType"]!.GetValue<string>());

        var index = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "multi")) })).EnsureOk().Json["imageDetails"]![0]!;
        Assert.Equal(config + 1002, index["imageSizeInBytes"]!.GetValue<long>());

        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "absent")) })).AssertError("ImageNotFoundException");
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "none" })).AssertError("RepositoryNotFoundException");

        var tagged = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["filter"] = new JsonObject { ["tagStatus"] = "UNTAGGED" } })).EnsureOk().Json;
        Assert.Equal(child2, Assert.Single(tagged["imageDetails"]!.AsArray())!["imageDigest"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListImages_lists_tagged_and_untagged_and_pages()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (a, manifestA) = await TestImages.PushImageAsync(client, "app", "a", 1);
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifestA, ["imageTag"] = "a2" })).EnsureOk();
        var (b, _) = await TestImages.PushImageAsync(client, "app", null, 2);

        var seen = new List<(string Digest, string? Tag)>();
        string? token = null;
        do
        {
            var body = new JsonObject { ["repositoryName"] = "app", ["maxResults"] = 2 };
            if (token is not null)
            {
                body["nextToken"] = token;
            }

            var page = (await client.CallAsync("ListImages", body)).EnsureOk().Json;
            Assert.InRange(page["imageIds"]!.AsArray().Count, 1, 2);
            seen.AddRange(page["imageIds"]!.AsArray().Select(i => (i!["imageDigest"]!.GetValue<string>(), i["imageTag"]?.GetValue<string>())));
            token = page["nextToken"]?.GetValue<string>();
        }
        while (token is not null);

        Assert.Equal([(a, "a"), (a, "a2"), (b, null)], seen);
        var taggedOnly = (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app", ["filter"] = new JsonObject { ["tagStatus"] = "TAGGED" } })).EnsureOk().Json;
        Assert.Equal(2, taggedOnly["imageIds"]!.AsArray().Count);
        (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app", ["maxResults"] = 0 })).AssertError("InvalidParameterException");
    }

    /// <summary>
    /// The model on the maxResults of ListImages, DescribeImages and DescribeRepositories: "If this parameter is not
    /// used, then ... returns up to 100 results and a nextToken value, if applicable." (botocore
    /// data/ecr/2015-09-21/service-2.json). 101 of each: 100 on the first page, the last one on the second.
    /// </summary>
    [Fact]
    public async Task Without_maxResults_ListImages_DescribeImages_and_DescribeRepositories_return_100_and_a_nextToken()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", "t0", 1);
        for (var i = 1; i < 101; i++)
        {
            // 100 more images (the manifest with a different annotation) and as many more tags.
            var variant = JsonNode.Parse(manifest)!.AsObject();
            variant["annotations"] = new JsonObject { ["n"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = variant.ToJsonString(), ["imageTag"] = $"t{i}" })).EnsureOk();
        }

        for (var i = 0; i < 100; i++)
        {
            await TestImages.CreateRepositoryAsync(client, $"r{i:000}");
        }

        foreach (var (operation, body, listed) in new[]
        {
            ("ListImages", new JsonObject { ["repositoryName"] = "app" }, "imageIds"),
            ("DescribeImages", new JsonObject { ["repositoryName"] = "app" }, "imageDetails"),
            ("DescribeRepositories", new JsonObject(), "repositories"),
        })
        {
            var first = (await client.CallAsync(operation, body)).EnsureOk().Json;
            Assert.Equal(100, first[listed]!.AsArray().Count);
            var next = (JsonObject)body.DeepClone();
            next["nextToken"] = first["nextToken"]!.GetValue<string>();
            var second = (await client.CallAsync(operation, next)).EnsureOk().Json;
            Assert.Single(second[listed]!.AsArray());
            Assert.Null(second["nextToken"]);
        }
    }

    [Fact]
    public async Task BatchDeleteImage_untags_deletes_and_protects_index_children()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (a, manifestA) = await TestImages.PushImageAsync(client, "app", "a", 1);
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifestA, ["imageTag"] = "a2" })).EnsureOk();
        var (child, _) = await TestImages.PushImageAsync(client, "app", null, 2);
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = TestImages.Index(child), ["imageTag"] = "idx" })).EnsureOk();

        var untag = (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "a2")) })).EnsureOk().Json;
        Assert.Equal("a2", untag["imageIds"]![0]!["imageTag"]!.GetValue<string>());
        var still = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: a)) })).EnsureOk().Json;
        Assert.Single(still["images"]!.AsArray());

        var refused = (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: child)) })).EnsureOk().Json;
        Assert.Equal("ImageReferencedByManifestList", refused["failures"]![0]!["failureCode"]!.GetValue<string>());

        var deleted = (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: a), TestImages.ImageId(tag: "missing")) })).EnsureOk().Json;
        Assert.Equal(a, deleted["imageIds"]![0]!["imageDigest"]!.GetValue<string>());
        Assert.Equal("ImageNotFound", deleted["failures"]![0]!["failureCode"]!.GetValue<string>());
        var gone = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "a")) })).EnsureOk().Json;
        Assert.Equal("ImageNotFound", gone["failures"]![0]!["failureCode"]!.GetValue<string>());

        (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "idx")) })).EnsureOk();
        (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(digest: child)) })).EnsureOk();
        var none = (await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        Assert.Empty(none["imageIds"]!.AsArray());
    }
}
