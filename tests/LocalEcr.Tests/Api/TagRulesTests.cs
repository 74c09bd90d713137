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
