using Replicator.Core.Configuration;
using Replicator.Core.Partitions;
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
    public const string GlobalEndpointVariable = ConfiguredEndpoint.GlobalVariable;
    public const string IgnoreConfiguredEndpointsVariable = ConfiguredEndpoint.IgnoreVariable;

    public const string UseFipsVariable = "AWS_USE_FIPS_ENDPOINT";
    public const string UseDualStackVariable = "AWS_USE_DUALSTACK_ENDPOINT";
    public const string UseFipsConfigKey = "use_fips_endpoint";
    public const string UseDualStackConfigKey = "use_dualstack_endpoint";

    /// <summary>The public endpoint of the region: <c>https://api.ecr.{region}.{partition's DNS suffix}</c>.</summary>
    public static Uri ForRegion(string region) => ForRegion(region, useFips: false, useDualStack: false);

    /// <summary>
    /// The endpoint botocore resolves for the region, in every partition it knows: <c>api.ecr</c> on the partition's
    /// DNS suffix, <c>ecr</c> / <c>ecr-fips</c> on its dual-stack suffix (its ECR rule set,
    /// botocore/data/ecr/2015-09-21/endpoint-rule-set-1.json). With FIPS alone, <c>ecr-fips</c> in aws and
    /// aws-us-gov and <c>api.ecr-fips</c> elsewhere: botocore's endpoints.json gives the <c>api.ecr</c> service that
    /// FIPS variant in those two partitions, and it is the host the AWS General Reference lists as ECR's FIPS endpoint
    /// (docs.aws.amazon.com/general/latest/gr/ecr.html) and the ECS agent pulls through
    /// (github.com/aws/amazon-ecs-agent/pull/4850); the rule set's <c>api.ecr-fips</c> there is listed nowhere.
    /// The test table tests/Replicator.Core.Tests/Fixtures/ecr-endpoints.tsv is generated from botocore itself.
    /// </summary>
    public static Uri ForRegion(string region, bool useFips, bool useDualStack)
    {
        var problem = EcrNames.ValidateRegion(region);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(region));
        }

        var partition = AwsPartitions.ForRegion(region);
        var host = (useFips, useDualStack) switch
        {
            (false, false) => $"api.ecr.{region}.{partition.DnsSuffix}",
            (true, false) when HasDocumentedFipsHost(partition) => $"ecr-fips.{region}.{partition.DnsSuffix}",
            (true, false) => $"api.ecr-fips.{region}.{partition.DnsSuffix}",
            (false, true) => $"ecr.{region}.{partition.DualStackDnsSuffix}",
            (true, true) => $"ecr-fips.{region}.{partition.DualStackDnsSuffix}",
        };
        return new Uri($"https://{host}/");
    }

    private static bool HasDocumentedFipsHost(AwsPartition partition) =>
        partition == AwsPartitions.Aws || partition == AwsPartitions.AwsUsGov;

    /// <summary>
    /// <c>AWS_ENDPOINT_URL_ECR</c>, else <c>AWS_ENDPOINT_URL</c>, else the public endpoint of the region, FIPS and
    /// dual-stack as <see cref="UseFips"/> and <see cref="UseDualStack"/> say; <c>AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true</c>
    /// disables both overrides, as in the SDKs.
    /// </summary>
    public static Uri Resolve(string region, IEnvironmentVariables environment) =>
        Override(environment) ?? ForRegion(region, UseFips(environment), UseDualStack(environment));

    /// <summary>As <see cref="Resolve(string, IEnvironmentVariables)"/> with the FIPS and dual-stack settings already read.</summary>
    public static Uri Resolve(string region, IEnvironmentVariables environment, bool useFips, bool useDualStack) =>
        Override(environment) ?? ForRegion(region, useFips, useDualStack);

    /// <summary>
    /// <c>AWS_USE_FIPS_ENDPOINT</c>, else <c>use_fips_endpoint</c> of the shared config file's profile
    /// (docs.aws.amazon.com/sdkref/latest/guide/feature-endpoints.html); false when neither is set, or when the variable
    /// is set but blank.
    /// </summary>
    public static bool UseFips(IEnvironmentVariables environment) => Flag(environment, UseFipsVariable, UseFipsConfigKey);

    /// <summary><c>AWS_USE_DUALSTACK_ENDPOINT</c>, else <c>use_dualstack_endpoint</c> of the shared config file's profile.</summary>
    public static bool UseDualStack(IEnvironmentVariables environment) => Flag(environment, UseDualStackVariable, UseDualStackConfigKey);

    private static bool Flag(IEnvironmentVariables environment, string variable, string configKey)
    {
        ArgumentNullException.ThrowIfNull(environment);
        // A variable that is set wins over the file even when blank, and blank is false: botocore's environment provider
        // converts whatever value is present (botocore/configprovider.py, EnvironmentProvider; utils.ensure_boolean).
        var fromEnvironment = environment.GetEnvironmentVariable(variable)?.Trim();
        var (source, value) = fromEnvironment is not null ? (variable, fromEnvironment)
            : SharedConfigFile.Lookup(environment, configKey) is { } found ? ($"{configKey} in {found.Where}", found.Value)
            : (configKey, null);
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        if (bool.TryParse(value, out var flag))
        {
            return flag;
        }

        throw new ArgumentException($"{source} must be true or false, not {EcrNames.Quote(value)}");
    }

    /// <summary>
    /// True when an endpoint override is in force: a local ECR (LocalEcr, tests, the demo) whose download URLs
    /// may be plain http. Against AWS itself presigned URLs must be https.
    /// </summary>
    public static bool IsOverridden(IEnvironmentVariables environment) => Override(environment) is not null;

    private static Uri? Override(IEnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return ConfiguredEndpoint.Find(environment, ServiceEndpointVariable) is { } configured ? ParseOverride(configured.Setting, configured.Value) : null;
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
