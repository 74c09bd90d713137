using System.Net;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// The signature of real client requests, checked against values botocore's SigV4Auth computes for the same
/// request (service ecr, same time, same credentials, same body): an independent implementation.
/// </summary>
public sealed class EcrClientSigningTests
{
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private static BatchGetImageRequest Request() => new()
    {
        RepositoryName = "team/app",
        ImageIds = [new ImageIdentifier { ImageDigest = Digest }],
    };

    [Fact]
    public async Task Session_credentials_sign_the_token_as_botocore_does()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        await TestClients.Create(handler).BatchGetImageAsync(Request());

        var sent = handler.Requests.Single();
        Assert.Equal("""{"repositoryName":"team/app","imageIds":[{"imageDigest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}""", sent.BodyText);
        Assert.Equal("20250304T050607Z", sent.Header("X-Amz-Date"));
        Assert.Equal(TestClients.SessionToken, sent.Header("X-Amz-Security-Token"));
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/eu-west-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=27f0c8510b8230693bd2a4d7785a0bd59984147c717c4a0dc253f65d424b1dac",
            sent.Header("Authorization"));
    }

    [Fact]
    public async Task Long_term_credentials_on_a_local_endpoint_sign_host_with_port_and_send_no_token()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        var client = TestClients.Create(handler, TestClients.LongTermCredentials, serviceUrl: new Uri("http://127.0.0.1:5000"));
        await client.BatchGetImageAsync(Request());

        var sent = handler.Requests.Single();
        Assert.Equal(new Uri("http://127.0.0.1:5000/"), sent.Uri);
        Assert.False(sent.Headers.ContainsKey("X-Amz-Security-Token"));
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250304/eu-west-1/ecr/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=da45a5a73b5ec8be4c079457268a49c918e6822e8657c4ef670d5fdc6f4cdabe",
            sent.Header("Authorization"));
    }

    [Fact]
    public async Task Default_endpoint_is_the_public_one_of_the_region()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        await TestClients.Create(handler, region: "cn-north-1").InitiateLayerUploadAsync(new InitiateLayerUploadRequest { RepositoryName = "app" });
        Assert.Equal(new Uri("https://api.ecr.cn-north-1.amazonaws.com.cn/"), handler.Requests.Single().Uri);
        Assert.Contains("/cn-north-1/ecr/aws4_request", handler.Requests.Single().Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credentials_are_asked_for_on_every_call_so_refreshed_ones_are_used()
    {
        var handler = new RecordingHandler().RespondOk("{}");
        var source = new RotatingCredentialsSource();
        var client = new EcrClient(new HttpClient(handler), source, new EcrClientConfig("eu-west-1"), new FakeTimeProvider(TestClients.Now));

        await client.ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });
        await client.ListImagesAsync(new ListImagesRequest { RepositoryName = "app" });

        Assert.Equal("token-1", handler.Requests[0].Header("X-Amz-Security-Token"));
        Assert.Equal("token-2", handler.Requests[1].Header("X-Amz-Security-Token"));
        Assert.Equal(HttpMethod.Post, handler.Requests[1].Method);
    }

    private sealed class RotatingCredentialsSource : Replicator.Core.Signing.IAwsCredentialsSource
    {
        private int _calls;

        public ValueTask<Replicator.Core.Signing.AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Replicator.Core.Signing.AwsCredentials("AKID" + Interlocked.Increment(ref _calls), "secret", "token-" + _calls));
    }
}
