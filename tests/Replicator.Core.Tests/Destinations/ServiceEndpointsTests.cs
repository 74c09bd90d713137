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
}
