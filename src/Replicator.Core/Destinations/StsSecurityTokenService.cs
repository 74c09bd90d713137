using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// STS AssumeRole through AWSSDK.SecurityToken, on the regional endpoint of the region it is given: the replicator's
/// own for a role in another account, a region of the other partition for a role there (regional endpoints are the
/// SDKs' default and the only kind in partitions other than aws:
/// docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_region-endpoints.html), or on
/// <c>AWS_ENDPOINT_URL_STS</c>.
/// </summary>
public sealed class StsSecurityTokenService : ISecurityTokenService
{
    /// <summary>CloudTrail shows it in the destination account: who wrote there.</summary>
    public const string SessionName = "ecr-replicator";

    private readonly Uri? _endpoint;
    private readonly TimeSpan _sessionDuration;
    private readonly bool _useFips;
    private readonly bool _useDualStack;
    private readonly TimeProvider _time;

    /// <param name="environment">Where <c>AWS_ENDPOINT_URL_STS</c> is read.</param>
    /// <param name="sessionDuration">Asked of STS; one hour is every role's default maximum session duration.</param>
    /// <param name="time">
    /// The clock the returned expiry is read against: the one the credentials cache compares it with.
    /// </param>
    public StsSecurityTokenService(IEnvironmentVariables environment, TimeSpan? sessionDuration = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _endpoint = ServiceEndpoints.Override(environment, ServiceEndpoints.StsVariable);

        // The FIPS and dual-stack settings as the ECR client reads them, from the injected environment, not the SDK's own
        // read of the process's: one setting for every client, and one a test can give.
        _useFips = EcrEndpoints.UseFips(environment);
        _useDualStack = EcrEndpoints.UseDualStack(environment);
        _sessionDuration = sessionDuration ?? TimeSpan.FromHours(1);

        // STS accepts 900 seconds to 12 hours (botocore sts model, roleDurationSecondsType).
        ArgumentOutOfRangeException.ThrowIfLessThan(_sessionDuration, TimeSpan.FromMinutes(15));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_sessionDuration, TimeSpan.FromHours(12));
    }

    /// <summary>Tests only: the SDK's HTTP clients, to answer as DNS would without asking it.</summary>
    internal HttpClientFactory? HttpClients { get; init; }

    /// <summary>
    /// The proxy AWSSDK's handler sends through: none is configured on the client, so the SDK leaves .NET's
    /// <see cref="HttpClient.DefaultProxy"/> (HTTPS_PROXY, NO_PROXY of the process) in use. Tests give their own.
    /// </summary>
    internal IWebProxy? Proxy { get; init; } = HttpClient.DefaultProxy;

    /// <summary>
    /// The client's settings for <paramref name="region"/>: its regional endpoint, FIPS and dual-stack as configured, or
    /// the override.
    /// </summary>
    internal AmazonSecurityTokenServiceConfig Config(string region)
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            // Retries stay with the caller: a failed AssumeRole fails the destination, and SQS redelivers it.
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(20),
        };
        ServiceEndpoints.Apply(config, _endpoint, region, _useFips, _useDualStack);
        if (HttpClients is not null)
        {
            config.HttpClientFactory = HttpClients;
        }

        return config;
    }

    public async Task<TemporaryCredentials> AssumeRoleAsync(string roleArn, string? externalId, string region, IAwsCredentialsSource caller, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(roleArn);
        ArgumentException.ThrowIfNullOrEmpty(region);
        ArgumentNullException.ThrowIfNull(caller);
        var request = new AssumeRoleRequest
        {
            RoleArn = roleArn,
            RoleSessionName = SessionName,
            ExternalId = externalId,
            DurationSeconds = (int)_sessionDuration.TotalSeconds,
        };
        string? fipsHost = null;
        (string Host, string Region)? unknownRegionHost = null;
        var asked = _time.GetUtcNow();
        try
        {
            var signing = new CredentialsSourceAdapter(caller);
            using var client = new AmazonSecurityTokenServiceClient(signing, Config(region));

            // STS has FIPS endpoints in a few US regions only (https://docs.aws.amazon.com/general/latest/gr/sts.html),
            // yet the SDK's endpoint rules build sts-fips.REGION for every region: the host, to name it when it does not exist.
            // The same for a region this build does not know: the role of a DESTINATION_CREDENTIALS parameter is assumed
            // in the destination's region, which the function only warns about at init (a region launched after this
            // build must work), and whose host, when DNS says it does not exist, is most likely a typo no retry fixes.
            // Behind an egress proxy the SDK resolves the proxy's name only, so "no such host" says nothing of STS's
            // (as for ECR: EcrClient.ProxyFor).
            var endpoint = _endpoint is null ? new Uri(client.DetermineServiceOperationEndpoint(request).URL) : null;
            var host = endpoint is not null && EcrClient.ProxyFor(Proxy, endpoint) is null ? endpoint.Host : null;
            fipsHost = _useFips ? host : null;
            unknownRegionHost = host is not null && !AwsRegions.IsKnown(region) ? (host, region) : null;
            // The replicator's own session may expire while its source still holds it (a clock behind AWS's, or a
            // session cut short).
            var response = await signing.RenewingExpiredOnceAsync(() => client.AssumeRoleAsync(request, cancellationToken));

            var issued = response.Credentials;
            if (issued is null || string.IsNullOrEmpty(issued.AccessKeyId) || string.IsNullOrEmpty(issued.SecretAccessKey) || issued.Expiration is null)
            {
                throw new ReplicationException(ReplicationErrorCodes.DestinationCredentialsUnavailable, $"could not assume role {roleArn}: STS returned no credentials", isTransient: true);
            }

            // The expiry on this host's clock, not STS's: STS grants exactly the DurationSeconds asked or refuses the
            // call ("If you specify a value higher than this setting ..., the operation fails", AssumeRole API
            // reference), so the session lasts at least until the moment asked plus that duration, whatever the skew.
            // STS's own Expiration read against a clock an hour ahead would look expired at once, and every request
            // would assume the role again; against a clock behind it would be used past its end until ECR refused it.
            return new TemporaryCredentials(new AwsCredentials(issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken), asked + _sessionDuration);
        }
        catch (Exception ex) when (ex is not ReplicationException)
        {
            throw ServiceFailures.Wrap(ex, $"assume role {roleArn}", ServiceFailures.DescribeEndpoint("STS", _endpoint, region), cancellationToken, fipsHost, unknownRegionHost);
        }
    }
}
