using System.Text;
using System.Text.Json.Nodes;
using LocalEcr.Tests.Support;

namespace LocalEcr.Tests.Faults;

public sealed class CallLogTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_bodies_are_kept_only_when_asked_refused_ones_included(bool record)
    {
        await using var server = await LocalEcrServer.StartAsync(new LocalEcrOptions { RecordRequests = record });
        using var client = new EcrTestClient(server, "eu-west-1");
        (await client.CallAsync("CreateRepository", new JsonObject { ["repositoryName"] = "app" })).EnsureOk();
        (await client.CallAsync("DescribeRepositories", new JsonObject { ["repositoryNames"] = new JsonArray("app\n") })).AssertError("InvalidParameterException");

        var requests = server.Calls.Requests;

        Assert.Equal(2, server.Calls.Total);
        if (!record)
        {
            Assert.Empty(requests);
            return;
        }

        Assert.Equal([("eu-west-1", "CreateRepository"), ("eu-west-1", "DescribeRepositories")], requests.Select(r => (r.Region, r.Operation)));
        Assert.Equal("""{"repositoryNames":["app\n"]}""", Encoding.UTF8.GetString(requests[1].Body));
        server.Calls.Reset();
        Assert.Empty(server.Calls.Requests);
    }
}
