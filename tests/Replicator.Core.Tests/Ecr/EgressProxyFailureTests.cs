using System.Net;
using System.Net.Sockets;
using System.Text;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Tests.Ecr;

/// <summary>
/// Behind an egress proxy (HTTPS_PROXY) the function never resolves nor connects to the ECR endpoint itself: it
/// connects to the proxy, and the proxy to the endpoint. A failure to resolve or reach the proxy, or the proxy's
/// refusal of the tunnel, is the proxy's, and must be named so; and a "no such host" answer for the proxy's name says
/// nothing about the ECR host, so it must not fail a copy permanently as a FIPS or mistyped-region host that does not
/// exist. These run a real SocketsHttpHandler with an explicit proxy, as HttpClient.DefaultProxy is one per process.
/// </summary>
public sealed class EgressProxyFailureTests
{
    private static readonly ListImagesRequest List = new() { RepositoryName = "app" };

    /// <summary>
    /// The resolver answers NXDOMAIN for the proxy's name (a typo in HTTPS_PROXY, or a proxy record removed): .NET
    /// reports it as a NameResolutionError with a SocketException HostNotFound inside, exactly as for the endpoint's
    /// own name. With AWS_USE_FIPS_ENDPOINT in us-east-1 (which has a FIPS endpoint) it was FipsHostNotFound, "ECR has
    /// no FIPS endpoint in us-east-1", dead-lettered at once; in a region this build does not know it was
    /// UnknownRegionHostNotFound, the same.
    /// </summary>
    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-wset-2", false)]
    public async Task A_proxy_whose_name_does_not_resolve_is_named_and_never_taken_for_a_missing_ecr_host(string region, bool fips)
    {
        var proxy = new WebProxy("http://egress-proxy.test:3128");
        using var http = new HttpClient(new SocketsHttpHandler
        {
            Proxy = proxy,
            ConnectCallback = (_, _) => throw new SocketException((int)SocketError.HostNotFound),
        });
        var endpoint = EcrEndpoints.ForRegion(region, useFips: fips, useDualStack: false);

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, region, endpoint, proxy).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.True(FailureClassifier.Classify(ex, "v1", CancellationToken.None).Transient);
        Assert.Contains("egress proxy egress-proxy.test:3128", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains(endpoint.Authority, ex.ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>The proxy does not answer at all: "could not connect to the ECR endpoint" sent the operator after ECR.</summary>
    [Fact]
    public async Task A_proxy_that_refuses_the_connection_is_named_not_the_ecr_endpoint()
    {
        var proxy = new WebProxy("http://egress-proxy.test:3128");
        using var http = new HttpClient(new SocketsHttpHandler
        {
            Proxy = proxy,
            ConnectCallback = (_, _) => throw new SocketException((int)SocketError.ConnectionRefused),
        });

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "us-east-1", EcrEndpoints.ForRegion("us-east-1"), proxy).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.True(ex.IsTransient);
        Assert.StartsWith("could not connect to the egress proxy egress-proxy.test:3128", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("ECR endpoint api.ecr.us-east-1.amazonaws.com", ex.ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// The proxy answers CONNECT with an error status (407: its credentials in HTTPS_PROXY are wrong or missing; 403: the
    /// host is not on its allow list, as a dual-stack ecr.REGION.api.aws name may not be). The message said "the HTTP
    /// request to the ECR endpoint failed", without the proxy or the status; it names both, and never the proxy URL's
    /// user information that .NET's own message carries.
    /// </summary>
    [Theory]
    [InlineData(407, "Proxy Authentication Required")]
    [InlineData(403, "Forbidden")]
    public async Task A_proxy_refusing_the_tunnel_is_named_with_its_status_and_without_its_credentials(int status, string reason)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var answering = AnswerEveryRequestAsync(listener, $"HTTP/1.1 {status} {reason}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", stop.Token);
        var proxy = new WebProxy($"http://127.0.0.1:{port}") { Credentials = new NetworkCredential("ops", "proxy-password-never-shown") };
        using var http = new HttpClient(new SocketsHttpHandler { Proxy = proxy });

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "us-east-1", EcrEndpoints.ForRegion("us-east-1"), proxy).ListImagesAsync(List));
        await stop.CancelAsync();

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.Contains($"egress proxy 127.0.0.1:{port}", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains($"HTTP {status}", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("ECR endpoint api.ecr.us-east-1.amazonaws.com", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("proxy-password-never-shown", ex.ErrorMessage, StringComparison.Ordinal);
        await answering;
    }

    /// <summary>Without a proxy for the endpoint nothing changes: the endpoint's own NXDOMAIN is still the endpoint's.</summary>
    [Fact]
    public async Task Without_a_proxy_the_endpoints_own_missing_fips_host_is_still_permanent()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (_, _) => throw new SocketException((int)SocketError.HostNotFound),
        });
        var fips = EcrEndpoints.ForRegion("eu-west-1", useFips: true, useDualStack: false);

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "eu-west-1", fips, proxy: null).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.FipsHostNotFound, ex.ErrorCode);
        Assert.False(ex.IsTransient);
    }

    private static EcrClient Client(HttpClient http, string region, Uri endpoint, IWebProxy? proxy) =>
        new(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig(region) { ServiceUrl = endpoint, Proxy = proxy });

    private static async Task AnswerEveryRequestAsync(TcpListener listener, string answer, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            using (client)
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                _ = await stream.ReadAsync(buffer, cancellationToken);
                await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), cancellationToken);
            }
        }
    }
}
