using Amazon;
using Amazon.Runtime;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;

namespace Replicator.Core.Destinations;

/// <summary>
/// The configured endpoint of an AWS service other than ECR, found by <see cref="ConfiguredEndpoint"/>
/// (docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html). Read through <see cref="IEnvironmentVariables"/>
/// rather than left to AWSSDK, which reads the process environment, so tests point each client at its own server.
/// </summary>
public static class ServiceEndpoints
{
    public const string StsVariable = "AWS_ENDPOINT_URL_STS";
    public const string SsmVariable = "AWS_ENDPOINT_URL_SSM";

    /// <summary>The override for the service whose variable is <paramref name="serviceVariable"/>, or null for the public endpoint.</summary>
    public static Uri? Override(IEnvironmentVariables environment, string serviceVariable)
    {
        if (ConfiguredEndpoint.Find(environment, serviceVariable) is not { } configured)
        {
            return null;
        }

        if (!Uri.TryCreate(configured.Value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new SettingException(configured.Setting, "must be an absolute http or https URL without user info");
        }

        return uri;
    }

    /// <summary>
    /// Points an AWSSDK client's <paramref name="config"/> at <paramref name="endpoint"/> (signed for
    /// <paramref name="region"/>), or at the region's own endpoint with FIPS and dual-stack as the ECR client reads them:
    /// from the injected environment, not the SDK's own read of the process's, so one setting holds for every client
    /// (a CLI profile's <c>use_fips_endpoint</c> included) and a test can give it.
    /// </summary>
    public static void Apply(ClientConfig config, IEnvironmentVariables environment, Uri? endpoint, string region)
    {
        ArgumentNullException.ThrowIfNull(environment);
        Apply(config, endpoint, region, EcrEndpoints.UseFips(environment), EcrEndpoints.UseDualStack(environment));
    }

    /// <summary>The same, with FIPS and dual-stack already read (a client that reads them once, at its start).</summary>
    public static void Apply(ClientConfig config, Uri? endpoint, string region, bool useFips, bool useDualStack)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.AuthenticationRegion = region;

            // The override wins over FIPS and dual-stack, as for ECR (EcrEndpoints.Resolve). Both are set, not left
            // unset: an unset flag makes AWSSDK read AWS_USE_FIPS_ENDPOINT and the profile itself, and the STS, SSM
            // and SQS endpoint rules refuse a custom endpoint with either flag on ("Invalid Configuration: FIPS and
            // custom endpoint are not supported", botocore/data/sts/2011-06-15/endpoint-rule-set-1.json.gz), which
            // failed every AssumeRole of a function given both.
            config.UseFIPSEndpoint = false;
            config.UseDualstackEndpoint = false;
            return;
        }

        config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        config.UseFIPSEndpoint = useFips;
        config.UseDualstackEndpoint = useDualStack;
    }
}
