using System.Net;
using System.Text.Json.Nodes;
using LocalEcr.Model;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// A restore from the archive (UpdateImageStorageClass STANDARD) takes time, as in ECR: the image is ACTIVATING and
/// cannot be pulled until the restore duration has passed on the server's clock
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html, "within 20 minutes":
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive_restore_image.html).
/// </summary>
public sealed class RestoreTests
{
    [Fact]
    public async Task A_restored_image_is_ACTIVATING_and_not_pulled_until_the_restore_duration_has_passed()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var (time, client) = (ecr.Time, ecr.Client);
        var (digest, manifest) = await ArchivedImageAsync(client);

        var restoring = (await UpdateAsync(client, digest, "STANDARD")).EnsureOk().Json;

        Assert.Equal("ACTIVATING", restoring["imageStatus"]!.GetValue<string>());
        Assert.Equal("ACTIVATING", await StatusAsync(client, digest));
        Assert.Equal([digest], await DescribedAsync(client, "ACTIVATING"));
        Assert.Empty(await DescribedAsync(client, null));
        Assert.Equal("ImageNotFound", await PullFailureAsync(client, digest));

        time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(1));
        Assert.Equal("ACTIVATING", await StatusAsync(client, digest));
        Assert.Equal("ImageNotFound", await PullFailureAsync(client, digest));

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("ACTIVE", await StatusAsync(client, digest));
        Assert.Equal([digest], await DescribedAsync(client, null));
        var pulled = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(new JsonObject { ["imageDigest"] = digest }) })).EnsureOk().Json;
        Assert.Equal(manifest, pulled["images"]![0]!["imageManifest"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("STANDARD")]
    [InlineData("ARCHIVE")]
    public async Task UpdateImageStorageClass_on_an_ACTIVATING_image_is_refused_and_the_restore_goes_on(string target)
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var (time, client) = (ecr.Time, ecr.Client);
        var (digest, _) = await ArchivedImageAsync(client);
        (await UpdateAsync(client, digest, "STANDARD")).EnsureOk();
        time.Advance(TimeSpan.FromMinutes(10));

        var refused = await UpdateAsync(client, digest, target);

        refused.AssertError("ImageStorageClassUpdateNotSupportedException");
        Assert.Contains("ImageStorageClassUpdateNotSupportedException", EcrModel.Instance.Errors("UpdateImageStorageClass"));
        Assert.Equal("ACTIVATING", await StatusAsync(client, digest));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("ACTIVE", await StatusAsync(client, digest));
    }

    [Fact]
    public async Task FinishRestores_and_its_admin_route_end_restores_in_progress_at_once()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var (server, client) = (ecr.Server, ecr.Client);
        var (first, _) = await ArchivedImageAsync(client, "v1", 31);
        var (second, _) = await ArchivedImageAsync(client, "v2", 32);
        (await UpdateAsync(client, first, "STANDARD")).EnsureOk();

        server.FinishRestores();

        Assert.Equal("ACTIVE", await StatusAsync(client, first));
        (await UpdateAsync(client, second, "STANDARD")).EnsureOk();
        using var admin = new HttpClient { BaseAddress = server.BaseAddress };
        using (var finished = await admin.PostAsync("_localecr/finish-restores", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, finished.StatusCode);
        }

        Assert.Equal("ACTIVE", await StatusAsync(client, second));
    }

    [Fact]
    public async Task A_restore_duration_of_zero_restores_at_once_and_a_negative_one_is_refused()
    {
        await using var ecr = await ClockedEcr.StartAsync(o => o.RestoreDuration = TimeSpan.Zero);
        var client = ecr.Client;
        var (digest, _) = await ArchivedImageAsync(client);

        var restored = (await UpdateAsync(client, digest, "STANDARD")).EnsureOk().Json;

        Assert.Equal("ACTIVE", restored["imageStatus"]!.GetValue<string>());
        Assert.Equal("ACTIVE", await StatusAsync(client, digest));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => LocalEcrServer.StartAsync(new LocalEcrOptions { RestoreDuration = TimeSpan.FromSeconds(-1) }));
    }

    [Fact]
    public async Task Pushing_an_ACTIVATING_image_again_makes_it_ACTIVE_at_once()
    {
        await using var ecr = await ClockedEcr.StartAsync();
        var client = ecr.Client;
        var (digest, manifest) = await ArchivedImageAsync(client);
        (await UpdateAsync(client, digest, "STANDARD")).EnsureOk();

        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "v1" })).EnsureOk();

        Assert.Equal("ACTIVE", await StatusAsync(client, digest));
        (await UpdateAsync(client, digest, "ARCHIVE")).EnsureOk();
    }

    private static async Task<(string Digest, string Manifest)> ArchivedImageAsync(EcrTestClient client, string tag = "v1", int seed = 30)
    {
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", tag, seed);
        (await UpdateAsync(client, digest, "ARCHIVE")).EnsureOk();
        return (digest, manifest);
    }

    private static Task<EcrResponse> UpdateAsync(EcrTestClient client, string digest, string target) =>
        client.CallAsync("UpdateImageStorageClass", new JsonObject { ["repositoryName"] = "app", ["imageId"] = new JsonObject { ["imageDigest"] = digest }, ["targetStorageClass"] = target });

    private static async Task<string> StatusAsync(EcrTestClient client, string digest)
    {
        var json = (await client.CallAsync("DescribeImages", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(new JsonObject { ["imageDigest"] = digest }),
            ["filter"] = new JsonObject { ["imageStatus"] = "ANY" },
        })).EnsureOk().Json;
        return json["imageDetails"]![0]!["imageStatus"]!.GetValue<string>();
    }

    private static async Task<List<string>> DescribedAsync(EcrTestClient client, string? status)
    {
        var body = new JsonObject { ["repositoryName"] = "app" };
        if (status is not null)
        {
            body["filter"] = new JsonObject { ["imageStatus"] = status };
        }

        var json = (await client.CallAsync("DescribeImages", body)).EnsureOk().Json;
        return [.. json["imageDetails"]!.AsArray().Select(d => d!["imageDigest"]!.GetValue<string>())];
    }

    private static async Task<string> PullFailureAsync(EcrTestClient client, string digest)
    {
        var json = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(new JsonObject { ["imageDigest"] = digest }) })).EnsureOk().Json;
        Assert.Empty(json["images"]!.AsArray());
        return json["failures"]![0]!["failureCode"]!.GetValue<string>();
    }
}
