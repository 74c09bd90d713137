using Amazon.SimpleSystemsManagement;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Testing;

namespace Replicator.Core.Tests.Destinations;

/// <summary>docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html: the service's variable, then the global one, both off when ignored.</summary>
public sealed class ServiceEndpointsTests
{
    private const string Global = "http://127.0.0.1:4566/";
    private const string Sts = "http://127.0.0.1:4567/";

    [Theory]
    [InlineData(null, Global)]
    [InlineData("false", Global)]
    [InlineData("true", null)]
    [InlineData(" TRUE ", null)]
    public void AWS_IGNORE_CONFIGURED_ENDPOINT_URLS_true_turns_AWS_ENDPOINT_URL_off(string? ignore, string? expected)
    {
        var values = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = Global };
        if (ignore is not null)
        {
            values["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = ignore;
        }

        Assert.Equal(expected, ServiceEndpoints.Override(DictionaryEnvironmentVariables.Of(values), ServiceEndpoints.StsVariable)?.ToString());
    }

    [Fact]
    public void The_service_variable_comes_before_AWS_ENDPOINT_URL()
    {
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = Global, ["AWS_ENDPOINT_URL_STS"] = Sts });

        Assert.Equal(Sts, ServiceEndpoints.Override(environment, ServiceEndpoints.StsVariable)?.ToString());
    }

    /// <summary>
    /// An override carrying user info is refused at start-up, without quoting it: the SDK would send those credentials
    /// nowhere useful, and the value may hold a password.
    /// </summary>
    [Fact]
    public void An_override_with_user_info_is_refused_without_quoting_it()
    {
        var environment = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_STS"] = "http://someone:not-a-real-password@127.0.0.1:4567/" });

        var error = Assert.Throws<SettingException>(() => ServiceEndpoints.Override(environment, ServiceEndpoints.StsVariable));

        Assert.Equal("AWS_ENDPOINT_URL_STS", error.Setting);
        Assert.DoesNotContain("not-a-real-password", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The SSM (and SQS) clients take FIPS and dual-stack from the injected environment, as the ECR and STS clients do: a
    /// CLI profile's <c>use_fips_endpoint</c> reaches them too, where the SDK's own read of the process's environment
    /// would miss it. An override is used as it is, signed for the region.
    /// </summary>
    [Theory]
    [InlineData("true", "false", true, false)]
    [InlineData("false", "true", false, true)]
    [InlineData(null, null, false, false)]
    public void A_client_config_takes_fips_and_dual_stack_from_the_injected_environment(string? fips, string? dualStack, bool expectFips, bool expectDualStack)
    {
        var values = new Dictionary<string, string>();
        if (fips is not null)
        {
            values["AWS_USE_FIPS_ENDPOINT"] = fips;
        }

        if (dualStack is not null)
        {
            values["AWS_USE_DUALSTACK_ENDPOINT"] = dualStack;
        }

        var config = new AmazonSimpleSystemsManagementConfig();
        ServiceEndpoints.Apply(config, DictionaryEnvironmentVariables.Of(values), endpoint: null, "us-east-2");

        Assert.Equal(Amazon.RegionEndpoint.USEast2, config.RegionEndpoint);
        Assert.Equal(expectFips, config.UseFIPSEndpoint);
        Assert.Equal(expectDualStack, config.UseDualstackEndpoint);
        Assert.Null(config.ServiceURL);

        var overridden = new AmazonSimpleSystemsManagementConfig();
        ServiceEndpoints.Apply(overridden, DictionaryEnvironmentVariables.Of(values), new Uri(Global), "us-east-2");

        Assert.Equal(Global, overridden.ServiceURL);
        Assert.Equal("us-east-2", overridden.AuthenticationRegion);
    }
}
