using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Api;

/// <summary>
/// The tag operations name the repository by ARN, account included. Another account's repository is out of reach
/// without a repository policy (which LocalEcr does not model), as a registryId of another account is.
/// </summary>
public sealed class CrossAccountTagTests
{
    private const string Victim = "arn:aws:ecr:us-east-1:111111111111:repository/victim";

    private static async Task<(LocalEcrServer Server, EcrTestClient Owner, EcrTestClient Other)> StartAsync()
    {
        var options = new LocalEcrOptions();
        options.OtherAccounts.Add(new LocalEcrAccount("111111111111", "AKIAVICTIM", "victim-secret"));
        var server = await LocalEcrServer.StartAsync(options);
        var owner = new EcrTestClient(server, accessKey: "AKIAVICTIM", secretKey: "victim-secret");
        await TestImages.CreateRepositoryAsync(owner, "victim");
        (await owner.CallAsync("TagResource", new JsonObject { ["resourceArn"] = Victim, ["tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "a" }) })).EnsureOk();
        return (server, owner, new EcrTestClient(server));
    }

    [Theory]
    [InlineData("ListTagsForResource")]
    [InlineData("TagResource")]
    [InlineData("UntagResource")]
    public async Task A_tag_call_on_another_account_repository_is_AccessDenied_and_changes_nothing(string operation)
    {
        var (server, owner, other) = await StartAsync();
        await using var _ = server;
        using var __ = owner;
        using var ___ = other;
        var body = new JsonObject { ["resourceArn"] = Victim };
        if (operation == "TagResource")
        {
            body["tags"] = new JsonArray(new JsonObject { ["Key"] = "team", ["Value"] = "attacker" });
        }
        else if (operation == "UntagResource")
        {
            body["tagKeys"] = new JsonArray("team");
        }

        var refused = await other.CallAsync(operation, body);

        refused.AssertError("AccessDeniedException");
        var message = refused.Json["message"]!.GetValue<string>();
        Assert.Contains("arn:aws:iam::000000000000:user/localecr", message, StringComparison.Ordinal);
        Assert.Contains($"ecr:{operation} on resource: {Victim}", message, StringComparison.Ordinal);
        var tags = (await owner.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = Victim })).EnsureOk().Json["tags"]!.AsArray();
        Assert.Equal("a", Assert.Single(tags)!["Value"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_owner_tags_its_own_repository_by_ARN()
    {
        var (server, owner, other) = await StartAsync();
        await using var _ = server;
        using var __ = owner;
        using var ___ = other;

        (await owner.CallAsync("UntagResource", new JsonObject { ["resourceArn"] = Victim, ["tagKeys"] = new JsonArray("team") })).EnsureOk();

        Assert.Empty((await owner.CallAsync("ListTagsForResource", new JsonObject { ["resourceArn"] = Victim })).EnsureOk().Json["tags"]!.AsArray());
    }
}
