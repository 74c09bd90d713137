using Amazon.Runtime;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Signing;

public sealed class CredentialsTests
{
    [Fact]
    public void ToString_never_shows_the_secret_or_the_token()
    {
        var text = TestClients.SessionCredentials.ToString();
        Assert.DoesNotContain(TestClients.SecretKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.SessionToken, text, StringComparison.Ordinal);
        Assert.Contains(TestClients.AccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestClients.SecretKey, $"{new StaticCredentialsSource(TestClients.SessionCredentials)}", StringComparison.Ordinal);
    }

    [Fact]
    public void Signature_ToString_hides_the_token_header()
    {
        var signature = SigV4Signer.Sign(
            new SigV4Request("POST", "/", [], [new("host", "h")], SigV4Signer.EmptyPayloadSha256),
            TestClients.SessionCredentials,
            "eu-west-1",
            "ecr",
            TestClients.Now);
        Assert.DoesNotContain(TestClients.SessionToken, signature.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_session_token_means_long_term_credentials()
    {
        Assert.Null(new AwsCredentials("AKID", "secret", string.Empty).SessionToken);
        Assert.Throws<ArgumentException>(() => new AwsCredentials("AKID", string.Empty));
    }

    [Fact]
    public async Task Sdk_source_maps_session_credentials_and_asks_the_sdk_each_time()
    {
        var sdk = new CountingCredentials();
        var source = new AwsSdkCredentialsSource(sdk);

        var first = await source.GetCredentialsAsync(CancellationToken.None);
        var second = await source.GetCredentialsAsync(CancellationToken.None);

        Assert.Equal("AKID1", first.AccessKeyId);
        Assert.Equal("token1", first.SessionToken);
        Assert.Equal("secret", first.SecretAccessKey);
        Assert.Equal("AKID2", second.AccessKeyId);
    }

    [Fact]
    public async Task Sdk_source_without_a_token_gives_long_term_credentials()
    {
        var source = new AwsSdkCredentialsSource(new BasicAWSCredentials("AKIDBASIC", "secret"));
        var credentials = await source.GetCredentialsAsync(CancellationToken.None);
        Assert.Equal("AKIDBASIC", credentials.AccessKeyId);
        Assert.Null(credentials.SessionToken);
    }

    // Stands for the SDK's refreshing credentials (role, SSO, IMDS): each call may hand out a new set.
    private sealed class CountingCredentials : AWSCredentials
    {
        private int _calls;

        public override ImmutableCredentials GetCredentials()
        {
            var n = Interlocked.Increment(ref _calls);
            return new ImmutableCredentials("AKID" + n, "secret", "token" + n);
        }
    }
}
