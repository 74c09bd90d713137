using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// An imageId whose digest or tag could name no image is a malformed request, not a missing image: DescribeImages
/// refuses it with InvalidParameterException (ECR's texts: https://github.com/pulumi/pulumi-aws/issues/2466 for the
/// digest, https://github.com/datawire/forge/issues/99 for the tag), and the batch operations report it as
/// InvalidImageDigest or InvalidImageTag. A tag's characters follow PutImage's rule, `[a-zA-Z0-9-_.]+`.
/// </summary>
public sealed class ImageIdSyntaxTests
{
    public static TheoryData<string?, string?, string> Malformed() => new()
    {
        { "sha256", null, "imageDigest" },
        { "sha256:xyz", null, "imageDigest" },
        { "", null, "imageDigest" },

        // The pattern holds the whole value: a well-formed digest with a line end after it is not one.
        { "sha256:" + new string('a', 64) + "\n", null, "imageDigest" },
        { null, "v1 beta", "imageTag" },
        { null, "v1:latest", "imageTag" },
        { null, "team/v1", "imageTag" },
        { null, "v1\n", "imageTag" },
        { null, "vé", "imageTag" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task DescribeImages_refuses_a_malformed_digest_or_tag_as_InvalidParameter_even_after_a_missing_image(string? digest, string? tag, string member)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        await TestImages.PushImageAsync(client, "app", "v1", 1);

        // The well-formed id that names nothing comes first: the malformed one is still what the answer is about.
        var refused = await client.CallAsync("DescribeImages", new JsonObject
        {
            ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "absent"), TestImages.ImageId(digest, tag)),
        });

        refused.AssertError("InvalidParameterException");
        Assert.StartsWith($"Invalid parameter at '{member}' failed to satisfy constraint: 'must satisfy regular expression '", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Without the malformed id, the missing image is what the answer is about.
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId(tag: "absent")) }))
            .AssertError("ImageNotFoundException");
    }

    /// <summary>
    /// An imageId with neither a digest nor a tag names no image at all: the model's ImageFailureCode has
    /// MissingDigestAndTag for it in the batch operations, and each operation's documentation says images "are
    /// specified with either imageTag or imageDigest". DescribeImages refuses it as it refuses a malformed digest,
    /// never answering ImageNotFoundException, which a client reads as "this image is absent".
    /// </summary>
    [Fact]
    public async Task DescribeImages_refuses_an_imageId_naming_neither_digest_nor_tag_as_InvalidParameter_even_after_a_missing_image()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        await TestImages.PushImageAsync(client, "app", "v1", 1);

        foreach (var ids in new[] { new JsonArray(TestImages.ImageId()), new JsonArray(TestImages.ImageId(tag: "absent"), TestImages.ImageId()) })
        {
            var refused = await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = ids });
            refused.AssertError("InvalidParameterException");
            Assert.Contains("imageDigest or an imageTag", refused.Json["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }

        // The batch operations report the same id as a failure of its own, not a missing image.
        var got = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = new JsonArray(TestImages.ImageId()) })).EnsureOk().Json;
        Assert.Equal("MissingDigestAndTag", Assert.Single(got["failures"]!.AsArray())!["failureCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task BatchGetImage_and_BatchDeleteImage_report_a_tag_with_other_characters_as_InvalidImageTag()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        var (digest, manifest) = await TestImages.PushImageAsync(client, "app", "v1", 1);
        (await client.CallAsync("PutImage", new JsonObject { ["repositoryName"] = "app", ["imageManifest"] = manifest, ["imageTag"] = "-Az09_.v1" })).EnsureOk();
        JsonArray Ids(params JsonObject[] more) => new([TestImages.ImageId(tag: "v1 "), TestImages.ImageId(tag: "team/v1"), TestImages.ImageId(tag: "v1:x"), TestImages.ImageId(tag: "absent"), .. more]);

        // A tag of every kind of character the rule allows still names its image.
        var got = (await client.CallAsync("BatchGetImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = Ids(TestImages.ImageId(tag: "-Az09_.v1")) })).EnsureOk().Json;
        Assert.Equal(["InvalidImageTag", "InvalidImageTag", "InvalidImageTag", "ImageNotFound"], Codes(got));
        Assert.Equal(digest, Assert.Single(got["images"]!.AsArray())!["imageId"]!["imageDigest"]!.GetValue<string>());

        var deleted = (await client.CallAsync("BatchDeleteImage", new JsonObject { ["repositoryName"] = "app", ["imageIds"] = Ids() })).EnsureOk().Json;
        Assert.Equal(["InvalidImageTag", "InvalidImageTag", "InvalidImageTag", "ImageNotFound"], Codes(deleted));
        Assert.Empty(deleted["imageIds"]!.AsArray());

        static List<string> Codes(JsonNode answer) => [.. answer["failures"]!.AsArray().Select(f => f!["failureCode"]!.GetValue<string>())];
    }
}
