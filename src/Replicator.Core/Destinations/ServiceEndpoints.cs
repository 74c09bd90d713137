using Replicator.Core.Configuration;
using Replicator.Core.Ecr;

namespace Replicator.Core.Destinations;

/// <summary>
/// The configured endpoint of an AWS service other than ECR: <c>AWS_ENDPOINT_URL_{SERVICE}</c>, else
/// <c>AWS_ENDPOINT_URL</c>, both off under <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>
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
        ArgumentNullException.ThrowIfNull(environment);
        if (string.Equals(environment.GetEnvironmentVariable(EcrEndpoints.IgnoreConfiguredEndpointsVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        foreach (var name in (ReadOnlySpan<string>)[serviceVariable, EcrEndpoints.GlobalEndpointVariable])
        {
            var value = environment.GetEnvironmentVariable(name)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new SettingException(name, "must be an absolute http or https URL without user info");
            }

            return uri;
        }

        return null;
    }
}
