using System.Net.Sockets;
using Amazon.Runtime;
using Replicator.Core.Destinations;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>
/// The role of a <c>DESTINATION_CREDENTIALS</c> parameter is assumed through STS in the destination's region, whose
/// host the SDK builds from the region's name. For a region this build does not know (most likely mistyped: the
/// function only warns at init, since a region launched after the build must work), DNS saying that host does not
/// exist is permanent, as the ECR client already treats its own host for such a region (UnknownRegionHostTests):
/// retried, every message for that destination waited out all its receives behind credentials no retry can get.
/// </summary>
public sealed class UnknownRegionStsHostTests
{
    private const string Role = "arn:aws-us-gov:iam::333333333333:role/ecr-writer";

    private static readonly StaticCredentialsSource Caller = new(new AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"));

    [Fact]
    public async Task A_mistyped_regions_STS_host_that_does_not_exist_fails_permanently_naming_the_host_and_the_region()
    {
        var dns = new ResolverAnswer(SocketError.HostNotFound);
        // No proxy (the resolver is the test's): the machine's HTTPS_PROXY would make "no such host" the proxy's.
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())) { HttpClients = dns, Proxy = null };

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => sts.AssumeRoleAsync(Role, null, "us-gov-wst-1", Caller, CancellationToken.None));

        Assert.Equal(["sts.us-gov-wst-1.amazonaws.com"], dns.Hosts.Distinct());
        Assert.Equal(ReplicationErrorCodes.DestinationCredentialsUnavailable, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.Contains("host name sts.us-gov-wst-1.amazonaws.com does not exist", ex.Message, StringComparison.Ordinal);
        Assert.Contains("us-gov-wst-1 is not a region this build knows", ex.Message, StringComparison.Ordinal);
        Assert.False(FailureClassifier.Classify(ex, "v1", CancellationToken.None).Transient);
    }

    [Theory]
    [InlineData("us-gov-west-1", SocketError.HostNotFound)] // a known region: an outage of its DNS, retried
    [InlineData("us-gov-wst-1", SocketError.TryAgain)] // the resolver could not answer now, not "no such host"
    public async Task Any_other_name_resolution_failure_stays_transient(string region, SocketError answer)
    {
        var sts = new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())) { HttpClients = new ResolverAnswer(answer), Proxy = null };

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => sts.AssumeRoleAsync(Role, null, region, Caller, CancellationToken.None));

        Assert.True(ex.IsTransient);
        Assert.EndsWith($"the STS endpoint of {region} could not be reached", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Behind an egress proxy the SDK resolves the proxy's name, never STS's, so "no such host" is the proxy's (a typo
    /// in HTTPS_PROXY): retried, not taken for a mistyped region or a missing FIPS host. A proxy that NO_PROXY tells to
    /// bypass STS leaves the resolution to the SDK, and the rule for a host that does not exist applies again.
    /// </summary>
    [Theory]
    [InlineData("us-gov-wst-1", false, false, true)]
    [InlineData("us-east-2", true, false, true)]
    [InlineData("us-gov-wst-1", false, true, false)]
    [InlineData("us-east-2", true, true, false)]
    public async Task Behind_a_proxy_no_such_host_is_the_proxys_and_stays_transient(string region, bool fips, bool bypassed, bool transient)
    {
        var environment = DictionaryEnvironmentVariables.Of(fips ? new Dictionary<string, string> { ["AWS_USE_FIPS_ENDPOINT"] = "true" } : []);
        var proxy = new System.Net.WebProxy(new Uri("http://proxy.corp.example:3128"), BypassOnLocal: false, BypassList: bypassed ? [@"sts.*\.amazonaws\.com"] : []);
        var sts = new StsSecurityTokenService(environment) { HttpClients = new ResolverAnswer(SocketError.HostNotFound), Proxy = proxy };

        var ex = await Assert.ThrowsAsync<ReplicationException>(() => sts.AssumeRoleAsync(Role, null, region, Caller, CancellationToken.None));

        Assert.Equal(transient, ex.IsTransient);
        Assert.Equal(!transient, ex.Message.Contains("does not exist", StringComparison.Ordinal));
    }

    /// <summary>
    /// Outside tests the proxy is the process's (HttpClient.DefaultProxy, of HTTPS_PROXY and NO_PROXY), which AWSSDK's
    /// handler uses: without it, behind a proxy, its "no such host" failed a destination permanently again.
    /// </summary>
    [Fact]
    public void The_proxy_is_the_processes_unless_a_test_gives_one() =>
        Assert.Same(HttpClient.DefaultProxy, new StsSecurityTokenService(DictionaryEnvironmentVariables.Of(new Dictionary<string, string>())).Proxy);

    /// <summary>The SDK's HTTP client, failing every request as SocketsHttpHandler does when the resolver answers <paramref name="answer"/>.</summary>
    private sealed class ResolverAnswer(SocketError answer) : HttpClientFactory
    {
        private readonly Handler _handler = new(answer);

        public IReadOnlyCollection<string> Hosts => _handler.Hosts;

        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(_handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

        private sealed class Handler(SocketError answer) : HttpMessageHandler
        {
            private readonly System.Collections.Concurrent.ConcurrentQueue<string> _hosts = new();

            public IReadOnlyCollection<string> Hosts => _hosts;

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                _hosts.Enqueue(request.RequestUri!.Host);
                throw new HttpRequestException(HttpRequestError.NameResolutionError, "Name or service not known", new SocketException((int)answer));
            }
        }
    }
}
