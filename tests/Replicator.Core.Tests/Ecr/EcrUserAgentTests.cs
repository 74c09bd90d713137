using System.Net;
using System.Reflection;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

/// <summary>Every ECR request says who sent it, so CloudTrail's userAgent tells the replicator's calls apart.</summary>
public sealed class EcrUserAgentTests
{
    [Fact]
    public void The_user_agent_is_the_product_and_its_version() =>
        Assert.Matches(@"^ecr-replicator/[0-9]+\.[0-9]+\.[0-9]+([-.][0-9A-Za-z.-]+)?$", EcrUserAgent.Value);

    /// <summary>
    /// The version compiled in as a constant is the one the assembly's attributes say, as it was when read from them by
    /// reflection: the informational version up to its '+', or the assembly version's first three parts.
    /// </summary>
    [Fact]
    public void The_version_is_the_assemblys_informational_version_without_build_metadata()
    {
        var assembly = typeof(EcrUserAgent).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal(informational.Split('+')[0], EcrUserAgent.Version);
        Assert.Equal(assembly.GetName().Version!.ToString(3), EcrUserAgent.FromInformationalVersion(null, assembly.GetName().Version!.ToString()));
    }

    [Theory]
    [InlineData("1.2.3", "9.9.9", "1.2.3")]
    [InlineData("1.2.3-beta.1+abc123", "1.2.3", "1.2.3-beta.1")]
    [InlineData("", "1.2", "1.2.0")]
    [InlineData(" ", "1.2.3.4", "1.2.3")]
    [InlineData(null, null, "0.0.0")]
    [InlineData(null, "not a version", "0.0.0")]
    [InlineData("+abc", "1.2.3", "+abc")]
    public void The_version_is_read_as_before(string? informational, string? assemblyVersion, string expected) =>
        Assert.Equal(expected, EcrUserAgent.FromInformationalVersion(informational, assemblyVersion));

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
