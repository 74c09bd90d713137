using Amazon.SQS;
using Replicator.Core.Configuration;
using Replicator.Function.Enqueue;
using Replicator.Testing;

namespace Replicator.Cli.Tests.Commands;

/// <summary>The <c>sync --enqueue</c> queue client's endpoint, by the SDKs' service-specific endpoint rules.</summary>
public sealed class SqsEndpointTests
{
    private static AmazonSQSConfig Config(params (string Name, string Value)[] values)
    {
        using var client = SqsMessageSender.CreateClient("eu-west-1", DictionaryEnvironmentVariables.Of(values.ToDictionary(v => v.Name, v => v.Value)), new Amazon.Runtime.BasicAWSCredentials("AKID", "secret"));
        return (AmazonSQSConfig)client.Config;
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_SQS")]
    [InlineData("AWS_ENDPOINT_URL")]
    public void An_override_is_used_unless_AWS_IGNORE_CONFIGURED_ENDPOINT_URLS_is_true(string variable)
    {
        var overridden = Config((variable, "http://127.0.0.1:4566"));
        var ignored = Config((variable, "http://127.0.0.1:4566"), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));

        Assert.Equal("http://127.0.0.1:4566/", overridden.ServiceURL);
        Assert.Equal("eu-west-1", overridden.AuthenticationRegion);
        Assert.Null(ignored.ServiceURL);
        Assert.Equal(Amazon.RegionEndpoint.EUWest1, ignored.RegionEndpoint);
    }

    [Fact]
    public void The_service_variable_wins_over_the_global_one_and_a_malformed_one_names_itself()
    {
        Assert.Equal("http://127.0.0.1:1/", Config(("AWS_ENDPOINT_URL_SQS", "http://127.0.0.1:1"), ("AWS_ENDPOINT_URL", "http://127.0.0.1:2")).ServiceURL);

        var ex = Assert.Throws<SettingException>(() => Config(("AWS_ENDPOINT_URL_SQS", "not a url")));
        Assert.Contains("AWS_ENDPOINT_URL_SQS", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// FIPS and dual-stack as the injected environment gives them (a profile's <c>use_fips_endpoint</c> reaches
    /// <c>sync --enqueue</c> that way), not only as the SDK reads the process's environment.
    /// </summary>
    [Fact]
    public void Fips_and_dual_stack_come_from_the_injected_environment()
    {
        var fips = Config(("AWS_USE_FIPS_ENDPOINT", "true"));
        var dualStack = Config(("AWS_USE_DUALSTACK_ENDPOINT", "true"));
        var neither = Config();

        Assert.True(fips.UseFIPSEndpoint);
        Assert.False(fips.UseDualstackEndpoint);
        Assert.True(dualStack.UseDualstackEndpoint);
        Assert.False(neither.UseFIPSEndpoint || neither.UseDualstackEndpoint);
    }
}
