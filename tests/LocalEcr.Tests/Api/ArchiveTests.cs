using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// UpdateImageStorageClass: an archived image cannot be pulled, is described only when the status filter asks for it,
/// and is restored by STANDARD (through ACTIVATING: <see cref="RestoreTests"/>) or by pushing it again
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html).
/// </summary>
public sealed class ArchiveTests
{
    [Fact]
    public async Task An_archived_image_is_not_pulled_is_described_as_ARCHIVED_on_request_and_comes_back_when_restored()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 21);
        JsonObject Id() => new() { ["imageDigest"] = digest };

        var archived = (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = Id(), ["targetStorageClass"] = "ARCHIVE" })).EnsureOk().Json;
        Assert.Equal("ARCHIVED", archived["imageStatus"]!.GetValue<string>());

        var pulled = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(Id()) })).EnsureOk().Json;
        Assert.Empty(pulled["images"]!.AsArray());
        Assert.Equal("ImageNotFound", pulled["failures"]![0]!["failureCode"]!.GetValue<string>());

        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(Id()) })).AssertError("ImageNotFoundException");
        var listed = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        Assert.Empty(listed["imageDetails"]!.AsArray());
        var described = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(Id()), ["filter"] = new JsonObject { ["imageStatus"] = "ANY" } })).EnsureOk().Json;
        Assert.Equal("ARCHIVED", described["imageDetails"]![0]!["imageStatus"]!.GetValue<string>());

        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = Id(), ["targetStorageClass"] = "STANDARD" })).EnsureOk();
        server.FinishRestores();
        var again = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(Id()) })).EnsureOk().Json;
        Assert.Equal(manifest, again["images"]![0]!["imageManifest"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListImages_leaves_an_archived_image_out_unless_the_status_filter_asks_for_it()
    {
        // The model's ListImagesFilter.imageStatus: "If not specified, only images with ACTIVE status are returned."
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (archived, _) = await TestImages.PushImageAsync(client, "app", "old", 23);
        var (active, _) = await TestImages.PushImageAsync(client, "app", "new", 24);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = archived }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();
        async Task<List<string>> ListAsync(string? status)
        {
            var body = new JsonObject { ["repositoryName"] = "app" };
            if (status is not null)
            {
                body["filter"] = new JsonObject { ["imageStatus"] = status };
            }

            var json = (await client.CallAsync("ListImages", body)).EnsureOk().Json;
            return [.. json["imageIds"]!.AsArray().Select(id => id!["imageDigest"]!.GetValue<string>())];
        }

        Assert.Equal([active], await ListAsync(null));
        Assert.Equal([active], await ListAsync("ACTIVE"));
        Assert.Equal([archived], await ListAsync("ARCHIVED"));
        Assert.Equal([archived, active], await ListAsync("ANY"));
    }

    [Fact]
    public async Task ListImageReferrers_leaves_an_archived_referrer_out_unless_the_artifactStatus_filter_asks_for_it()
    {
        // The model's ListImageReferrersFilter.artifactStatus: "If not specified, only artifacts with ACTIVE status are
        // returned." (botocore data/ecr/2015-09-21/service-2.json). A listing that ignored the status would show the
        // replicator a signature it cannot pull (BatchGetImage answers ImageNotFound for an archived image).
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (subject, _) = await TestImages.PushImageAsync(client, "app", "v1", 25);
        var empty = await TestImages.UploadBlobAsync(client, "app", "{}"u8.ToArray());
        string Referrer(string note) =>
            $"{{\"schemaVersion\":2,\"mediaType\":\"{TestImages.OciManifest}\",\"artifactType\":\"application/spdx+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"size\":2,\"digest\":\"{empty}\"}},\"layers\":[],\"subject\":{{\"mediaType\":\"{TestImages.DockerManifest}\",\"size\":10,\"digest\":\"{subject}\"}},\"annotations\":{{\"note\":\"{note}\"}}}}";
        var archivedManifest = Referrer("archived");
        var activeManifest = Referrer("active");
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = archivedManifest })).EnsureOk();
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = activeManifest })).EnsureOk();
        var archived = TestImages.Digest(archivedManifest);
        var active = TestImages.Digest(activeManifest);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = archived }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();
        async Task<List<(string Digest, string Status)>> ListAsync(JsonObject? filter)
        {
            var body = new JsonObject { ["repositoryName"] = "app", ["subjectId"] = new JsonObject { ["imageDigest"] = subject } };
            if (filter is not null)
            {
                body["filter"] = filter;
            }

            var json = (await client.CallAsync("ListImageReferrers", body)).EnsureOk().Json;
            return [.. json["referrers"]!.AsArray().Select(r => (r!["digest"]!.GetValue<string>(), r["artifactStatus"]!.GetValue<string>()))];
        }

        Assert.Equal([(active, "ACTIVE")], await ListAsync(null));
        Assert.Equal([(active, "ACTIVE")], await ListAsync(new JsonObject { ["artifactTypes"] = new JsonArray("application/spdx+json") }));
        Assert.Equal([(active, "ACTIVE")], await ListAsync(new JsonObject { ["artifactStatus"] = "ACTIVE" }));
        Assert.Equal([(archived, "ARCHIVED")], await ListAsync(new JsonObject { ["artifactStatus"] = "ARCHIVED" }));
        Assert.Equal([(archived, "ARCHIVED"), (active, "ACTIVE")], await ListAsync(new JsonObject { ["artifactStatus"] = "ANY" }));
    }

    [Fact]
    public async Task Pushing_an_archived_image_again_restores_it()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 22);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = digest }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1" })).EnsureOk();

        var described = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json;
        Assert.Equal("ACTIVE", Assert.Single(described["imageDetails"]!.AsArray())!["imageStatus"]!.GetValue<string>());
    }

    /// <summary>
    /// BatchGetImage of an archived image, by digest and by its tag: a failure of either code ECR may give it (a known
    /// unknown, <see cref="LocalEcrOptions.ArchivedImagesInaccessible"/>), never the manifest.
    /// </summary>
    [Theory]
    [InlineData(false, "ImageNotFound")]
    [InlineData(true, "ImageInaccessible")]
    public async Task BatchGetImage_of_an_archived_image_fails_with_the_code_of_the_reading(bool inaccessible, string code)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { ArchivedImagesInaccessible = inaccessible });
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 26);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = digest }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        var got = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(new JsonObject { ["imageDigest"] = digest }, new JsonObject { ["imageTag"] = "v1" }),
        })).EnsureOk().Json;

        Assert.Empty(got["images"]!.AsArray());
        Assert.Equal([code, code], got["failures"]!.AsArray().Select(f => f!["failureCode"]!.GetValue<string>()));
    }

    /// <summary>
    /// A push without a tag of an archived image's digest: restored, as the documented re-push, or (the other reading of
    /// a known unknown, <see cref="LocalEcrOptions.TaglessPushLeavesArchived"/>) refused as already there and left archived.
    /// </summary>
    [Theory]
    [InlineData(false, null, "ACTIVE")]
    [InlineData(true, "ImageAlreadyExistsException", "ARCHIVED")]
    public async Task A_tagless_push_of_an_archived_image_restores_it_or_under_the_other_reading_is_already_there(bool leavesArchived, string? error, string status)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { TaglessPushLeavesArchived = leavesArchived });
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 25);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = digest }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        var pushed = await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageDigest"] = digest });

        if (error is null)
        {
            pushed.EnsureOk();
        }
        else
        {
            pushed.AssertError(error);
        }

        var described = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["filter"] = new JsonObject { ["imageStatus"] = "ANY" } })).EnsureOk().Json;
        Assert.Equal(status, Assert.Single(described["imageDetails"]!.AsArray())!["imageStatus"]!.GetValue<string>());
    }

    /// <summary>
    /// DescribeImages by id of an archived image without a status filter: not found (the filter's ACTIVE default applies
    /// to ids too), or (the other reading, <see cref="LocalEcrOptions.DescribeImagesByIdIgnoresStatusFilter"/>) described.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DescribeImages_by_id_of_an_archived_image_follows_the_chosen_reading_of_the_status_filter(bool idsIgnoreStatusFilter)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DescribeImagesByIdIgnoresStatusFilter = idsIgnoreStatusFilter });
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 26);
        var id = new JsonObject { ["imageDigest"] = digest };
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = id.DeepClone(), ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        var described = await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(id.DeepClone()) });

        if (idsIgnoreStatusFilter)
        {
            Assert.Equal("ARCHIVED", Assert.Single(described.EnsureOk().Json["imageDetails"]!.AsArray())!["imageStatus"]!.GetValue<string>());
        }
        else
        {
            described.AssertError("ImageNotFoundException");
        }
    }

    /// <summary>
    /// The third reading (<see cref="LocalEcrOptions.DescribeImagesByIdActiveOnly"/>): ids described ACTIVE only, so an
    /// archived image asked for by id is not found even with imageStatus ANY; the listing with that filter still shows it.
    /// </summary>
    [Fact]
    public async Task DescribeImages_by_id_under_the_active_only_reading_hides_an_archived_image_that_the_listing_shows()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { DescribeImagesByIdActiveOnly = true });
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, _) = await TestImages.PushImageAsync(client, "app", "v1", 27);
        var id = new JsonObject { ["imageDigest"] = digest };
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = id.DeepClone(), ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();
        var any = new JsonObject { ["imageStatus"] = "ANY" };

        var byId = await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(id.DeepClone()), ["filter"] = any.DeepClone() });
        var listed = (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["filter"] = any.DeepClone() })).EnsureOk().Json;

        byId.AssertError("ImageNotFoundException");
        Assert.Equal("ARCHIVED", Assert.Single(listed["imageDetails"]!.AsArray())!["imageStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_push_of_an_archived_image_that_is_refused_leaves_it_archived()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", "IMMUTABLE");
        await TestImages.PushImageAsync(client, "app", "v1", 23);
        var (archived, manifest) = await TestImages.PushImageAsync(client, "app", "v2", 24);
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = archived }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        // v1 is immutable and points at the other image: the push is refused, and a refused push restores nothing.
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1" }))
            .AssertError("ImageTagAlreadyExistsException");

        var described = (await client.CallAsync("DescribeImages", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(new JsonObject { ["imageDigest"] = archived }),
            ["filter"] = new JsonObject { ["imageStatus"] = "ANY" },
        })).EnsureOk().Json;
        Assert.Equal("ARCHIVED", Assert.Single(described["imageDetails"]!.AsArray())!["imageStatus"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_layers_of_an_archived_image_are_not_handed_out_until_it_is_restored()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 25);
        var layer = JsonNode.Parse(manifest)!["layers"]![0]!["digest"]!.GetValue<string>();
        JsonObject Id() => new() { ["imageDigest"] = digest };
        Task<EcrResponse> DownloadUrlAsync() => client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = layer });
        (await DownloadUrlAsync()).EnsureOk();

        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = Id(), ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        (await DownloadUrlAsync()).AssertError("LayerInaccessibleException");
        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = Id(), ["targetStorageClass"] = "STANDARD" })).EnsureOk();
        (await DownloadUrlAsync()).AssertError("LayerInaccessibleException");
        server.FinishRestores();
        (await DownloadUrlAsync()).EnsureOk();
    }

    [Fact]
    public async Task A_layer_an_active_image_also_holds_stays_available_when_another_image_with_it_is_archived()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (archived, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 26);
        var layer = JsonNode.Parse(manifest)!["layers"]![0]!;
        var configBytes = "{\"os\":\"linux\",\"other\":true}"u8.ToArray();
        var config = await TestImages.UploadBlobAsync(client, "app", configBytes);
        var sharing = TestImages.ImageManifest(config, configBytes.Length, (layer["digest"]!.GetValue<string>(), layer["size"]!.GetValue<long>(), TestImages.DockerLayer));
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = sharing, ["imageTag"] = "v2" })).EnsureOk();

        (await client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = archived }, ["targetStorageClass"] = "ARCHIVE" })).EnsureOk();

        (await client.CallAsync("GetDownloadUrlForLayer", new JsonObject { ["repositoryName"] = "app", ["layerDigest"] = layer["digest"]!.GetValue<string>() })).EnsureOk();
    }
}
