using System.Collections.Concurrent;
using Replicator.Core.Configuration;
using Replicator.Core.Signing;

namespace Replicator.Core.Ecr;

/// <summary>
/// One <see cref="EcrClient"/> per region and endpoint, all sharing one HttpClient (one connection pool) and one
/// credentials source. The endpoint of each region comes from <see cref="EcrEndpoints.Resolve(string, Configuration.IEnvironmentVariables, bool, bool)"/>.
/// </summary>
public sealed class EcrClientFactory : IEcrClientProvider
{
    private readonly HttpClient _httpClient;
    private readonly IAwsCredentialsSource _credentials;
    private readonly IEnvironmentVariables _environment;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<(string Region, Uri Endpoint, IAwsCredentialsSource Credentials), EcrClient> _clients = new();
    private readonly Lazy<(bool Fips, bool DualStack)> _variant;

    public EcrClientFactory(
        HttpClient httpClient,
        IAwsCredentialsSource credentials,
        IEnvironmentVariables environment,
        TimeProvider? timeProvider = null,
        TimeSpan? timeout = null)
    {
        _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _timeProvider = timeProvider ?? TimeProvider.System;
        _timeout = timeout ?? EcrClientConfig.DefaultTimeout;

        // Read once: the FIPS and dual-stack settings may come from the shared config file.
        _variant = new Lazy<(bool, bool)>(() => (EcrEndpoints.UseFips(_environment), EcrEndpoints.UseDualStack(_environment)));
    }

    /// <summary>
    /// An HttpClient fit to be the shared one: no HttpClient-level timeout (each <see cref="EcrClient"/> call has its
    /// own), and pooled connections recycled so a long-lived Lambda follows DNS changes of the regional endpoints.
    /// </summary>
    /// <param name="configure">Adds to the handler's settings (a test noting the connections it opens).</param>
    public static HttpClient CreateHttpClient(Action<SocketsHttpHandler>? configure = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        };
        configure?.Invoke(handler);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The same, trusting only <paramref name="trustedRoots"/> (the certificate authorities of <c>AWS_CA_BUNDLE</c>,
    /// <see cref="CaBundle.Load"/>) when given, as AWSSDK's clients beside it do; the system's when null.
    /// </summary>
    public static HttpClient CreateHttpClientTrusting(System.Security.Cryptography.X509Certificates.X509Certificate2Collection? trustedRoots) =>
        trustedRoots is { } roots ? CreateHttpClient(handler => CaBundle.Trust(handler, roots)) : CreateHttpClient();

    /// <summary>The client for <paramref name="region"/>, created on first use.</summary>
    public IEcrClient GetClient(string region) => GetClient(region, _credentials);

    /// <summary>
    /// The client for <paramref name="region"/> signing with <paramref name="credentials"/> (a destination in
    /// another account or partition), created on first use; one per region, endpoint and credentials source.
    /// </summary>
    public IEcrClient GetClient(string region, IAwsCredentialsSource credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var endpoint = EcrEndpoints.Resolve(region, _environment, _variant.Value.Fips, _variant.Value.DualStack);
        return _clients.GetOrAdd(
            (region, endpoint, credentials),
            static (key, self) => new EcrClient(
                self._httpClient,
                key.Credentials,
                new EcrClientConfig(key.Region) { ServiceUrl = key.Endpoint, Timeout = self._timeout },
                self._timeProvider),
            this);
    }

    /// <summary>The credentials of <see cref="GetClient(string)"/>: the replicator's own.</summary>
    public IAwsCredentialsSource Credentials => _credentials;
}
