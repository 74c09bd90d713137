using System.Net;
using System.Net.Sockets;
using System.Text;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Testing;

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

    /// <summary>
    /// NO_PROXY naming the endpoint: the request goes straight to it, so its own "no such host" is still a FIPS host that
    /// does not exist. .NET's proxy of HTTPS_PROXY and NO_PROXY (HttpClient.DefaultProxy) answers GetProxy with the proxy
    /// even for a host NO_PROXY names, and only IsBypassed says the proxy is not used: the proxy here does the same, so
    /// the check must ask IsBypassed (WebProxy, which answers GetProxy with the host itself, does not show it).
    /// </summary>
    [Fact]
    public async Task An_endpoint_that_NO_PROXY_names_is_reached_directly_and_its_missing_fips_host_stays_permanent()
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (_, _) => throw new SocketException((int)SocketError.HostNotFound),
        });
        var fips = EcrEndpoints.ForRegion("us-east-1", useFips: true, useDualStack: false);
        var proxy = new EnvironmentLikeProxy(new Uri("http://egress-proxy.test:3128"), bypassed: fips.Host);

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "us-east-1", fips, proxy).ListImagesAsync(List));

        Assert.Equal(EcrErrorCodes.FipsHostNotFound, ex.ErrorCode);
        Assert.False(ex.IsTransient);
        Assert.DoesNotContain("egress proxy", ex.ErrorMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// The proxy opens the tunnel, and the TLS handshake inside it fails: a TLS-inspecting proxy whose root the function
    /// does not trust (here a TLS front of a private root). Named as the proxy's, with the setting that fixes it, the
    /// proxy variable of the endpoint's scheme, and the endpoint's authority with its port.
    /// </summary>
    [Fact]
    public async Task A_TLS_handshake_failing_through_the_proxy_is_named_with_AWS_CA_BUNDLE_and_HTTPS_PROXY()
    {
        await using var inspecting = TlsFront.Start(target: 1);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var tunnelling = TunnelEveryConnectAsync(listener, inspecting.Port, stop.Token);
        var proxy = new WebProxy($"http://127.0.0.1:{port}");
        using var http = new HttpClient(new SocketsHttpHandler { Proxy = proxy });
        var endpoint = new Uri("https://ecr.internal.test:8443/");

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "us-east-1", endpoint, proxy).ListImagesAsync(List));
        await stop.CancelAsync();

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.StartsWith($"the TLS handshake through the egress proxy 127.0.0.1:{port} failed", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("AWS_CA_BUNDLE", ex.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("(HTTPS_PROXY) on the way to the ECR endpoint ecr.internal.test:8443", ex.ErrorMessage, StringComparison.Ordinal);
        await tunnelling;
    }

    /// <summary>
    /// A SOCKS proxy (HTTPS_PROXY=socks5://...) that closes the connection before its handshake ends: .NET reports it as
    /// a ProxyTunnelError without a status, and the proxy is still the one named, not the ECR endpoint.
    /// </summary>
    [Fact]
    public async Task A_socks_proxy_that_cannot_open_the_tunnel_is_named_without_a_status()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var answering = AnswerEveryRequestAsync(listener, "", stop.Token);
        var proxy = new WebProxy($"socks5://127.0.0.1:{port}");
        using var http = new HttpClient(new SocketsHttpHandler { Proxy = proxy });

        var ex = await Assert.ThrowsAsync<EcrException>(() => Client(http, "us-east-1", EcrEndpoints.ForRegion("us-east-1"), proxy).ListImagesAsync(List));
        await stop.CancelAsync();

        Assert.Equal(EcrErrorCodes.ConnectionFailure, ex.ErrorCode);
        Assert.StartsWith($"the egress proxy 127.0.0.1:{port} could not open the tunnel (HTTPS_PROXY)", ex.ErrorMessage, StringComparison.Ordinal);
        await answering;
    }

    /// <summary>
    /// Outside tests the proxy is the process's, .NET's of HTTPS_PROXY and NO_PROXY, which the HttpClient's handler uses:
    /// without it a deployed function behind a proxy took the proxy's "no such host" for a missing ECR host again.
    /// </summary>
    [Fact]
    public void The_proxy_is_the_processes_unless_a_test_gives_one() =>
        Assert.Same(HttpClient.DefaultProxy, new EcrClientConfig("us-east-1").Proxy);

    private static EcrClient Client(HttpClient http, string region, Uri endpoint, IWebProxy? proxy) =>
        new(http, new StaticCredentialsSource(new AwsCredentials("test", "test")), new EcrClientConfig(region) { ServiceUrl = endpoint, Proxy = proxy });

    /// <summary>Answers every CONNECT with 200 and then relays the connection's bytes to <paramref name="target"/> on loopback.</summary>
    private static Task TunnelEveryConnectAsync(TcpListener listener, int target, CancellationToken cancellationToken) =>
        EachConnectionAsync(listener, cancellationToken, async stream =>
        {
            using var upstream = new TcpClient();
            try
            {
                _ = await stream.ReadAsync(new byte[4096], cancellationToken);
                await upstream.ConnectAsync(IPAddress.Loopback, target, cancellationToken);
                await stream.WriteAsync("HTTP/1.1 200 Connection established\r\n\r\n"u8.ToArray(), cancellationToken);
                var relayed = upstream.GetStream();
                await Task.WhenAny(stream.CopyToAsync(relayed, cancellationToken), relayed.CopyToAsync(stream, cancellationToken));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                // The client ends the tunnel when it refuses the certificate.
            }
        });

    /// <summary>As .NET's proxy of HTTPS_PROXY and NO_PROXY: GetProxy answers the proxy for every host, IsBypassed the NO_PROXY match.</summary>
    private sealed class EnvironmentLikeProxy(Uri proxy, string bypassed) : IWebProxy
    {
        public ICredentials? Credentials { get; set; }

        public Uri GetProxy(Uri destination) => proxy;

        public bool IsBypassed(Uri host) => host.Host == bypassed;
    }

    private static Task AnswerEveryRequestAsync(TcpListener listener, string answer, CancellationToken cancellationToken) =>
        EachConnectionAsync(listener, cancellationToken, async stream =>
        {
            _ = await stream.ReadAsync(new byte[4096], cancellationToken);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), cancellationToken);
        });

    /// <summary>Serves each connection <paramref name="listener"/> accepts, one at a time, until cancelled.</summary>
    private static async Task EachConnectionAsync(TcpListener listener, CancellationToken cancellationToken, Func<NetworkStream, Task> serve)
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
                await serve(client.GetStream());
            }
        }
    }
}
