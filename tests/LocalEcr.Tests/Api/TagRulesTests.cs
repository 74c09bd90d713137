using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>CreateRepository, TagResource and UntagResource share the tag key rules.</summary>
public sealed class TagRulesTests
{
    [Fact]
    public async Task A_key_given_twice_is_refused_by_CreateRepository_and_TagResource()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        JsonArray Twice() => new(new JsonObject { ["Key"] = "team", ["Value"] = "a" }, new JsonObject { ["Key"] = "team", ["Value"] = "b" });

        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = Twice() })).AssertError("InvalidTagParameterException");
        var arn = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["repository"]!["repositoryArn"]!.GetValue<string>();
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = Twice() })).AssertError("InvalidTagParameterException");

        Assert.Empty((await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn })).EnsureOk().Json["tags"]!.AsArray());
    }

    /// <summary>
    /// "Maximum number of tags per resource – 50" and "Maximum value length – 256 Unicode characters"
    /// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html): the limits are reached, not passed, by
    /// CreateRepository's tags and by TagResource, which counts the tags the repository already has but not a key it
    /// only gives a new value.
    /// </summary>
    [Fact]
    public async Task A_repository_holds_at_most_50_tags_with_values_of_at_most_256_characters()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        JsonArray Tags(int count, int valueLength = 1) => new([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject { ["Key"] = $"k{i}", ["Value"] = new string('v', valueLength) })]);

        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = Tags(51) })).AssertError("TooManyTagsException");
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = Tags(1, 257) })).AssertError("InvalidTagParameterException");
        var arn = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = Tags(50, 256) }))
            .EnsureOk().Json["repository"]!["repositoryArn"]!.GetValue<string>();

        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "k50", ["Value"] = "v" }) }))
            .AssertError("TooManyTagsException");
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "k0", ["Value"] = new string('w', 257) }) }))
            .AssertError("InvalidTagParameterException");
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "k0", ["Value"] = "new" }) })).EnsureOk();

        var tags = (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn })).EnsureOk().Json["tags"]!.AsArray();
        Assert.Equal(50, tags.Count);
        Assert.Equal("new", tags.Single(t => t!["Key"]!.GetValue<string>() == "k0")!["Value"]!.GetValue<string>());
    }

    /// <summary>
    /// "Don't use aws:, AWS:, or any upper or lowercase combination of such as a prefix for either keys or values, as it
    /// is reserved for AWS use" (AWS's tag restrictions, https://docs.aws.amazon.com/batch/latest/userguide/tag-restrictions.html):
    /// a key reserved in any case is refused by CreateRepository, TagResource and UntagResource alike.
    /// </summary>
    [Theory]
    [InlineData("AWS:team")]
    [InlineData("Aws:team")]
    [InlineData("aWs:team")]
    public async Task A_key_starting_with_aws_colon_in_any_case_is_reserved(string key)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        JsonArray Tag() => new(new JsonObject { ["Key"] = key, ["Value"] = "v" });

        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app", ["tags"] = Tag() })).AssertError("InvalidTagParameterException");
        var arn = (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["repository"]!["repositoryArn"]!.GetValue<string>();
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = arn, ["tags"] = Tag() })).AssertError("InvalidTagParameterException");
        (await client.CallAsync("UntagResource", new JsonObject { ["resourceArn"] = arn, ["tagKeys"] = new JsonArray(key) })).AssertError("InvalidTagParameterException");
        Assert.Empty((await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn })).EnsureOk().Json["tags"]!.AsArray());
    }

    [Fact]
    public async Task UntagResource_checks_its_keys_as_TagResource_does()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        var arn = (await client.CallAsync("CreateRepository", new JsonObject
        {
            ["repositoryName"] = "app", ["tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "a" }),
        })).EnsureOk().Json["repository"]!["repositoryArn"]!.GetValue<string>();
        JsonObject Untag(params string[] keys) => new() { ["resourceArn"] = arn, ["tagKeys"] = new JsonArray([.. keys.Select(k => (JsonNode)k)]) };

        (await client.CallAsync("UntagResource", Untag("aws:cloudformation:stack-name"))).AssertError("InvalidTagParameterException");
        (await client.CallAsync("UntagResource", Untag(new string('k', 129)))).AssertError("InvalidTagParameterException");
        (await client.CallAsync("UntagResource", Untag(""))).AssertError("InvalidTagParameterException");
        (await client.CallAsync("UntagResource", Untag([.. Enumerable.Range(0, 201).Select(i => $"k{i}")]))).AssertError("InvalidParameterException");

        (await client.CallAsync("UntagResource", Untag([new string('k', 128), .. Enumerable.Range(0, 199).Select(i => $"k{i}")]))).EnsureOk();
        (await client.CallAsync("UntagResource", Untag("team"))).EnsureOk();
        Assert.Empty((await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = arn })).EnsureOk().Json["tags"]!.AsArray());
    }
}
