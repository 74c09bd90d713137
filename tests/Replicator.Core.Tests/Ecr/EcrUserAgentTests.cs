using System.Net;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

/// <summary>Every ECR request says who sent it, so CloudTrail's userAgent tells the replicator's calls apart.</summary>
public sealed class EcrUserAgentTests
{
    [Fact]
    public void The_user_agent_is_the_product_and_its_version() =>
        Assert.Matches(@"^ecr-replicator/[0-9]+\.[0-9]+\.[0-9]+([-.][0-9A-Za-z.-]+)?$", EcrUserAgent.Value);

    [Fact]
    public async Task Every_request_carries_it_successful_failed_and_resent()
    {
        var handler = new RecordingHandler()
            .RespondOk("""{"uploadId":"u","partSize":10485760}""")
            .Respond(HttpStatusCode.BadRequest, """{"__type":"RepositoryNotFoundException","message":"no"}""")
            .Respond(HttpStatusCode.BadRequest, """{"__type":"ExpiredTokenException","message":"expired"}""")
            .RespondOk("{}");
        var client = TestClients.Create(handler);

        await client.InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = "app" });
        await Assert.ThrowsAsync<EcrException>(() => client.DescribeRepositoriesAsync(new DescribeRepositoriesRequest()));
        await client.ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });

        Assert.Equal(4, handler.Requests.Count);
        Assert.All(handler.Requests, r => Assert.Equal(EcrUserAgent.Value, r.Header("User-Agent")));
    }
}
