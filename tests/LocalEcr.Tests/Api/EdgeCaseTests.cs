using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class EdgeCaseTests
{
    /// <summary>
    /// InvalidLayerPartException.lastValidByteReceived is the model's PartSize (min 0) and optional: before any byte
    /// there is no last valid byte, so the member is left out rather than written as -1.
    /// </summary>
    [Theory]
    [InlineData(1, 16)]
    [InlineData(10, 10)]
    public async Task A_first_part_not_at_byte_0_is_InvalidLayerPart_without_lastValidByteReceived(int offset, int length)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var uploadId = await TestImages.InitiateUploadAsync(client, "app");
        var error = await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, new byte[20], offset, length));
        error.AssertError("InvalidLayerPartException");
        Assert.False(error.Json.AsObject().ContainsKey("lastValidByteReceived"));
        Assert.Equal(uploadId, error.Json["uploadId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Exclusion_filters_let_matching_tags_move_in_an_immutable_repository()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", "IMMUTABLE_WITH_EXCLUSION", exclusionFilter: "dev-*");
        await TestImages.PushImageAsync(client, "app", "dev-main", 1);
        await TestImages.PushImageAsync(client, "app", "v1", 2);
        var (_, other) = await TestImages.PushImageAsync(client, "app", null, 3);
        (await client.CallAsync("PutImage", Retag(other, "dev-main"))).EnsureOk();
        (await client.CallAsync("PutImage", Retag(other, "v1"))).AssertError("ImageTagAlreadyExistsException");
    }

    /// <summary>
    /// Tags are case-sensitive ("dev-main" and "DEV-main" are two tags, and the model's filter pattern, [0-9a-zA-Z._*-],
    /// tells upper from lower case), and ECR documents no case folding for ImageTagMutabilityExclusionFilter, so LocalEcr
    /// takes the stricter reading of each mode. Under IMMUTABLE_WITH_EXCLUSION a filter frees a tag only as written:
    /// "DEV-main" is not excluded by "dev-*" and stays immutable, while "dev-main" moves.
    /// </summary>
    [Fact]
    public async Task An_exclusion_filter_frees_a_tag_only_of_its_case_under_IMMUTABLE_WITH_EXCLUSION()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", "IMMUTABLE_WITH_EXCLUSION", exclusionFilter: "dev-*");
        await TestImages.PushImageAsync(client, "app", "dev-main", 1);
        await TestImages.PushImageAsync(client, "app", "DEV-main", 2);
        var (_, other) = await TestImages.PushImageAsync(client, "app", null, 3);

        (await client.CallAsync("PutImage", Retag(other, "dev-main"))).EnsureOk();
        (await client.CallAsync("PutImage", Retag(other, "DEV-main"))).AssertError("ImageTagAlreadyExistsException");
    }

    /// <summary>
    /// Under MUTABLE_WITH_EXCLUSION the stricter reading is the other one: a filter fixes a tag of any case, so
    /// "RELEASE-1" is as immutable as "release-1" under "release-*", and a tag no filter names, of any case, moves.
    /// </summary>
    [Fact]
    public async Task An_exclusion_filter_fixes_a_tag_of_any_case_under_MUTABLE_WITH_EXCLUSION()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app", "MUTABLE_WITH_EXCLUSION", exclusionFilter: "release-*");
        await TestImages.PushImageAsync(client, "app", "release-1", 1);
        await TestImages.PushImageAsync(client, "app", "RELEASE-1", 2);
        await TestImages.PushImageAsync(client, "app", "Dev", 3);
        var (_, other) = await TestImages.PushImageAsync(client, "app", null, 4);

        (await client.CallAsync("PutImage", Retag(other, "release-1"))).AssertError("ImageTagAlreadyExistsException");
        (await client.CallAsync("PutImage", Retag(other, "RELEASE-1"))).AssertError("ImageTagAlreadyExistsException");
        (await client.CallAsync("PutImage", Retag(other, "Dev"))).EnsureOk();
    }

    /// <summary>
    /// A WILDCARD filter is matched against the whole tag, '*' standing for any run of characters
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html): a literal end of the filter
    /// must be matched too, so "release" does not match "releas" nor "a*b" the tag "a".
    /// </summary>
    [Theory]
    [InlineData("release", "release", true)]
    [InlineData("release", "releas", false)]
    [InlineData("release", "release1", false)]
    [InlineData("a*b", "a", false)]
    [InlineData("a*b", "axxb", true)]
    [InlineData("*-rc*", "1.0-rc2", true)]
    [InlineData("dev-*", "dev-", true)]
    public void An_exclusion_filter_matches_the_whole_tag(string filter, string tag, bool matches)
    {
        Assert.Equal(matches, LocalEcr.Api.TagMutability.Wildcard(filter, tag));
    }

    [Fact]
    public async Task A_declared_media_type_contradicting_the_manifest_is_InvalidParameter()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (_, manifest) = await TestImages.PushImageAsync(client, "app", null, 1);
        (await client.CallAsync("PutImage", new JsonObject
        {
            ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "x", ["imageManifestMediaType"] = TestImages.OciManifest,
        })).AssertError("InvalidParameterException");
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = "not json", ["imageTag"] = "y" })).AssertError("InvalidParameterException");
    }

    [Fact]
    public async Task BatchGetImage_reports_tag_and_digest_disagreeing_and_missing_ids()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        await TestImages.PushImageAsync(client, "app", "v1", 1);
        var (other, _) = await TestImages.PushImageAsync(client, "app", "v2", 2);
        var result = (await client.CallAsync("BatchGetImage", new JsonObject
        {
            ["repositoryName"] = "app",
            ["imageIds"] = new JsonArray(TestImages.ImageId(digest: other, tag: "v1"), new JsonObject(), TestImages.ImageId(digest: "bad")),
        })).EnsureOk().Json;
        var codes = result["failures"]!.AsArray().Select(f => f!["failureCode"]!.GetValue<string>()).ToList();
        Assert.Equal(["ImageTagDoesNotMatchDigest", "MissingDigestAndTag", "InvalidImageDigest"], codes);
        (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray() })).AssertError("InvalidParameterException");
        (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "nope", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "v1")) })).AssertError("RepositoryNotFoundException");
    }

    [Fact]
    public async Task Parallel_uploads_of_distinct_and_identical_layers_stay_consistent()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var distinct = Enumerable.Range(0, 6).Select(i => TestImages.RandomBytes(20_000 + i, 100 + i)).ToList();
        var digests = await Task.WhenAll(distinct.Select(d => TestImages.UploadBlobAsync(client, "app", d)));
        Assert.Equal(distinct.Select(TestImages.Digest), digests);

        var same = TestImages.RandomBytes(5000, 999);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var uploadId = await TestImages.InitiateUploadAsync(client, "app");
            (await client.CallAsync("UploadLayerPart", TestImages.Part("app", uploadId, same, 0, same.Length))).EnsureOk();
            return await client.CallAsync("CompleteLayerUpload", new JsonObject
            {
                ["repositoryName"] = "app", ["uploadId"] = uploadId, ["layerDigests"] = new JsonArray(TestImages.Digest(same)),
            });
        }));
        Assert.Single(outcomes, o => o.Status == System.Net.HttpStatusCode.OK);
        Assert.All(outcomes.Where(o => o.Status != System.Net.HttpStatusCode.OK), o => o.AssertError("LayerAlreadyExistsException"));
        var check = (await client.CallAsync("BatchCheckLayerAvailability", new JsonObject
        {
            ["repositoryName"] = "app", ["layerDigests"] = new JsonArray([.. digests.Append(TestImages.Digest(same)).Select(d => (JsonNode)d)]),
        })).EnsureOk().Json;
        Assert.Equal(7, check["layers"]!.AsArray().Count);
    }

    /// <summary>A PutImage moving <paramref name="tag"/> of repository "app" to <paramref name="manifest"/>.</summary>
    private static JsonObject Retag(string manifest, string tag) => new() { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = tag };
}
