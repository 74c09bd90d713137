using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

public sealed class RepositoryLifecycleTests
{
    private const string Arn = "arn:aws:ecr:us-east-1:000000000000:repository/app";

    [Fact]
    public async Task DeleteRepository_refuses_a_non_empty_repository_unless_forced()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        await TestImages.CreateRepositoryAsync(client, "app");
        await TestImages.PushImageAsync(client, "app", "v1", 1);
        (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryNotEmptyException");
        var deleted = (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "app", ["force"] = true })).EnsureOk().Json;
        Assert.Equal(Arn, deleted["repository"]!["repositoryArn"]!.GetValue<string>());
        (await client.CallAsync("DescribeImages", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryNotFoundException");
        (await client.CallAsync("DeleteRepository", new JsonObject { ["repositoryName"] = "app" })).AssertError("RepositoryNotFoundException");
        await TestImages.CreateRepositoryAsync(client, "app");
        Assert.Empty((await client.CallAsync("ListImages", new JsonObject { ["repositoryName"] = "app" })).EnsureOk().Json["imageIds"]!.AsArray());
    }

    [Fact]
    public async Task TagResource_merges_and_UntagResource_removes()
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions());
        using var client = new EcrTestClient(server);
        (await client.CallAsync("CreateRepository", new JsonObject
        {
            ["repositoryName"] = "app", ["tags"] = new JsonArray(new JsonObject { ["Key"] = "a", ["Value"] = "1" }),
        })).EnsureOk();
        (await client.CallAsync("TagResource", new JsonObject
        {
            ["resourceArn"] = Arn,
            ["tags"] = new JsonArray(new JsonObject { ["Key"] = "a", ["Value"] = "2" }, new JsonObject { ["Key"] = "b", ["Value"] = "3" }),
        })).EnsureOk();
        (await client.CallAsync("UntagResource", new JsonObject { ["resourceArn"] = Arn, ["tagKeys"] = new JsonArray("b") })).EnsureOk();
        var tags = (await client.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = Arn })).EnsureOk().Json["tags"]!.AsArray();
        var tag = Assert.Single(tags)!;
        Assert.Equal("a", tag["Key"]!.GetValue<string>());
        Assert.Equal("2", tag["Value"]!.GetValue<string>());

        var tooMany = new JsonArray([.. Enumerable.Range(0, 51).Select(i => (JsonNode)new JsonObject { ["Key"] = $"k{i}", ["Value"] = "v" })]);
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = Arn, ["tags"] = tooMany })).AssertError("TooManyTagsException");
        (await client.CallAsync("TagResource", new JsonObject
        {
            ["resourceArn"] = Arn, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "", ["Value"] = "v" }),
        })).AssertError("InvalidTagParameterException");
        (await client.CallAsync("TagResource", new JsonObject { ["resourceArn"] = Arn.Replace("/app", "/other", StringComparison.Ordinal), ["tags"] = new JsonArray() })).AssertError("RepositoryNotFoundException");
    }
}
