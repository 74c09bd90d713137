namespace Replicator.Core.Configuration;

/// <summary>
/// The endpoint URL configured for one AWS service, found as the SDKs find it
/// (docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), first match wins:
/// <c>AWS_ENDPOINT_URL_{SERVICE}</c>, <c>AWS_ENDPOINT_URL</c>, then in the active profile the service's
/// <c>endpoint_url</c> in the <c>[services NAME]</c> section its <c>services</c> key names, then the profile's own
/// <c>endpoint_url</c>. <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>, or <c>ignore_configured_endpoint_urls = true</c>
/// in the profile, turns every one of them off. Checked against botocore, which resolves the same order.
/// </summary>
public static class ConfiguredEndpoint
{
    public const string GlobalVariable = "AWS_ENDPOINT_URL";
    public const string IgnoreVariable = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
    public const string IgnoreConfigKey = "ignore_configured_endpoint_urls";
    public const string ConfigKey = "endpoint_url";
    public const string ServicesKey = "services";

    private const string ServicePrefix = GlobalVariable + "_";

    /// <summary>
    /// The setting that names the endpoint (for a message about a bad value; never the value itself, which may carry
    /// user info) and its value, trimmed; null when none is configured.
    /// </summary>
    /// <param name="serviceVariable">The service's variable, e.g. <c>AWS_ENDPOINT_URL_ECR</c>; its suffix in lower case is the service's key in a services section.</param>
    public static (string Setting, string Value)? Find(IEnvironmentVariables environment, string serviceVariable)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!serviceVariable.StartsWith(ServicePrefix, StringComparison.Ordinal) || serviceVariable.Length == ServicePrefix.Length)
        {
            throw new ArgumentException($"{serviceVariable} is not an {ServicePrefix}SERVICE variable", nameof(serviceVariable));
        }

        if (Ignored(environment))
        {
            return null;
        }

        foreach (var name in (ReadOnlySpan<string>)[serviceVariable, GlobalVariable])
        {
            if (Given(environment.GetEnvironmentVariable(name)) is { } value)
            {
                return (name, value);
            }
        }

        var service = serviceVariable[ServicePrefix.Length..].ToLowerInvariant();
        if (SharedConfigFile.Lookup(environment, ServicesKey) is { } named)
        {
            // botocore stops here when the section is missing or empty (ConfiguredEndpointProvider._get_services_config,
            // botocore/configprovider.py: InvalidConfigError), so the AWS CLI makes no call; read as absent, the
            // command would go to the public endpoint rather than the one the operator meant to configure. A key
            // without a value is present all the same there ('services' in scoped_config) and names the section "",
            // which no file has.
            var services = named.Value;
            if (!SharedConfigFile.HasServicesSection(environment, services))
            {
                throw new SettingException(
                    $"{ServicesKey} of the profile in {named.Where}",
                    $"names \"{services}\": The profile is configured to use the services section but the \"{services}\" services configuration does not exist.");
            }

            if (Given(SharedConfigFile.GetService(environment, services, service, ConfigKey)) is { } serviceValue)
            {
                return ($"{ConfigKey} of {service} in [services {services}] of the shared config file", serviceValue);
            }
        }

        return SharedConfigFile.Lookup(environment, ConfigKey) is { } profile && Given(profile.Value) is { } profileValue
            ? ($"{ConfigKey} of the profile in {profile.Where}", profileValue)
            : null;
    }

    /// <summary>
    /// True when <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS</c> or the profile's <c>ignore_configured_endpoint_urls</c> is
    /// <c>true</c>: every configured endpoint is then off, whoever reads it.
    /// </summary>
    public static bool Ignored(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return IsTrue(environment.GetEnvironmentVariable(IgnoreVariable)) || IsTrue(SharedConfigFile.Get(environment, IgnoreConfigKey));
    }

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
