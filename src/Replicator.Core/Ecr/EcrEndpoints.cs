using Replicator.Core.Configuration;
using Replicator.Core.Validation;

namespace Replicator.Core.Ecr;

/// <summary>
/// Where the ECR API of a region lives. Pure: the environment comes in through <see cref="IEnvironmentVariables"/>.
/// The overrides follow the AWS SDKs' service-specific endpoint convention
/// (docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html).
/// </summary>
public static class EcrEndpoints
{
    public const string ServiceEndpointVariable = "AWS_ENDPOINT_URL_ECR";
    public const string GlobalEndpointVariable = "AWS_ENDPOINT_URL";
    public const string IgnoreConfiguredEndpointsVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    /// <summary>The public endpoint: <c>https://api.ecr.{region}.amazonaws.com</c>, <c>.amazonaws.com.cn</c> in China.</summary>
    public static Uri ForRegion(string region)
    {
        var problem = EcrNames.ValidateRegion(region);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(region));
        }

        var suffix = region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://api.ecr.{region}.{suffix}/");
    }

    /// <summary>
    /// <c>AWS_ENDPOINT_URL_ECR</c>, else <c>AWS_ENDPOINT_URL</c>, else the public endpoint of the region;
    /// <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c> disables both overrides, as in the SDKs.
    /// </summary>
    public static Uri Resolve(string region, IEnvironmentVariables environment) => Override(environment) ?? ForRegion(region);

    /// <summary>
    /// True when an endpoint override is in force: a local ECR (LocalEcr, tests, the demo) whose download URLs
    /// may be plain http. Against AWS itself presigned URLs must be https.
    /// </summary>
    public static bool IsOverridden(IEnvironmentVariables environment) => Override(environment) is not null;

    private static Uri? Override(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var ignore = string.Equals(environment.GetEnvironmentVariable(IgnoreConfiguredEndpointsVariable)?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
        if (ignore)
        {
            return null;
        }

        foreach (var name in (ReadOnlySpan<string>)[ServiceEndpointVariable, GlobalEndpointVariable])
        {
            var value = environment.GetEnvironmentVariable(name)?.Trim();
            if (!string.IsNullOrEmpty(value))
            {
                return ParseOverride(name, value);
            }
        }

        return null;
    }

    private static Uri ParseOverride(string variable, string value)
    {
        // The value is not quoted in the message: an endpoint URL may carry user info.
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"{variable} must be an absolute http or https URL");
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ArgumentException($"{variable} must not carry user info, a query or a fragment");
        }

        return uri;
    }
}
