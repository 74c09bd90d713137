using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrClientFactoryTests
{
    private static EcrClientFactory Factory(RecordingHandler handler, Dictionary<string, string>? environment = null) =>
        new(
            new HttpClient(handler),
            new StaticCredentialsSource(TestClients.LongTermCredentials),
            DictionaryEnvironmentVariables.Of(environment ?? []),
            new FakeTimeProvider(TestClients.Now));

    [Fact]
    public void One_client_per_region()
    {
        var factory = Factory(new RecordingHandler());
        Assert.Same(factory.GetClient("eu-west-1"), factory.GetClient("eu-west-1"));
        Assert.NotSame(factory.GetClient("eu-west-1"), factory.GetClient("us-east-1"));
    }

    [Fact]
    public async Task Clients_sign_for_their_region_and_share_the_endpoint_override()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        var factory = Factory(handler, new() { ["AWS_ENDPOINT_URL_ECR"] = "http://127.0.0.1:5000" });

        await factory.GetClient("eu-west-1").ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });
        await factory.GetClient("ap-south-1").ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });

        Assert.All(handler.Requests, r => Assert.Equal(new Uri("http://127.0.0.1:5000/"), r.Uri));
        Assert.Contains("/eu-west-1/ecr/aws4_request", handler.Requests[0].Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("/ap-south-1/ecr/aws4_request", handler.Requests[1].Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public void Shared_HttpClient_leaves_timeouts_to_the_ecr_clients()
    {
        using var http = EcrClientFactory.CreateHttpClient();
        Assert.Equal(Timeout.InfiniteTimeSpan, http.Timeout);
    }
}
