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
}
