using System.Net;
using Replicator.Core.Validation;

namespace Replicator.Core.Ecr;

/// <summary>Settings of one <see cref="EcrClient"/>: the region it signs for and where it sends requests.</summary>
public sealed record EcrClientConfig
{
    /// <summary>The default per-request timeout; the same as AWSSDK's default <c>ClientConfig.Timeout</c>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(100);

    private readonly TimeSpan _timeout = DefaultTimeout;

    public EcrClientConfig(string region)
    {
        var problem = EcrNames.ValidateRegion(region);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(region));
        }

        Region = region;
    }

    /// <summary>The region, also the SigV4 signing region (LocalEcr keeps its state per signed region).</summary>
    public string Region { get; }

    /// <summary>Where to send requests instead of the public endpoint (<see cref="EcrEndpoints.Resolve(string, Configuration.IEnvironmentVariables, bool, bool)"/>).</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>
    /// How long one call may wait: until its body starts; while the body is sent, for each block of it to go out (an
    /// inactivity limit, so a large UploadLayerPart on a slow uplink is not cut for its size); and from the end of the
    /// body to the end of the response. <see cref="Timeout.InfiniteTimeSpan"/> turns it off. A timed-out call throws a
    /// transient <see cref="EcrException"/> with code <c>RequestTimeout</c>.
    /// </summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        init
        {
            if (value != System.Threading.Timeout.InfiniteTimeSpan && value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(value), "the timeout must be positive or infinite");
            }

            _timeout = value;
        }
    }

    /// <summary>
    /// The proxy the HttpClient's handler sends through: <see cref="HttpClient.DefaultProxy"/> (HTTPS_PROXY, HTTP_PROXY,
    /// ALL_PROXY and NO_PROXY of the process), which <see cref="EcrClientFactory.CreateHttpClient(Action{System.Net.Http.SocketsHttpHandler}?)"/>
    /// leaves in use; null for none. Only read to tell the proxy's failures from the endpoint's.
    /// </summary>
    public IWebProxy? Proxy { get; init; } = HttpClient.DefaultProxy;

    public Uri Endpoint => ServiceUrl ?? EcrEndpoints.ForRegion(Region);
}
