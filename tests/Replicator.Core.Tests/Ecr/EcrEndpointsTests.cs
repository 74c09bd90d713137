using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Testing;

namespace Replicator.Core.Tests.Ecr;

public sealed class EcrEndpointsTests
{
    [Theory]
    [InlineData("us-east-1", null, null, null, "https://api.ecr.us-east-1.amazonaws.com/")]
    [InlineData("eu-central-2", null, null, null, "https://api.ecr.eu-central-2.amazonaws.com/")]
    [InlineData("cn-north-1", null, null, null, "https://api.ecr.cn-north-1.amazonaws.com.cn/")]
    [InlineData("cn-northwest-1", null, null, null, "https://api.ecr.cn-northwest-1.amazonaws.com.cn/")]
    [InlineData("us-gov-west-1", null, null, null, "https://api.ecr.us-gov-west-1.amazonaws.com/")]
    [InlineData("us-east-1", "http://127.0.0.1:5000", null, null, "http://127.0.0.1:5000/")]
    [InlineData("us-east-1", null, "http://localhost:4566", null, "http://localhost:4566/")]
    [InlineData("us-east-1", "http://ecr.local:1", "http://global.local:2", null, "http://ecr.local:1/")]
    [InlineData("us-east-1", "  ", "http://global.local:2", null, "http://global.local:2/")]
    [InlineData("us-east-1", "http://ecr.local:1", "http://global.local:2", "true", "https://api.ecr.us-east-1.amazonaws.com/")]
    [InlineData("us-east-1", "http://ecr.local:1", null, "false", "http://ecr.local:1/")]
    public void Resolution_table(string region, string? ecrUrl, string? globalUrl, string? ignore, string expected)
    {
        var values = new Dictionary<string, string>();
        if (ecrUrl is not null)
        {
            values["AWS_ENDPOINT_URL_ECR"] = ecrUrl;
        }

        if (globalUrl is not null)
        {
            values["AWS_ENDPOINT_URL"] = globalUrl;
        }

        if (ignore is not null)
        {
            values["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = ignore;
        }

        Assert.Equal(new Uri(expected), EcrEndpoints.Resolve(region, DictionaryEnvironmentVariables.Of(values)));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.com")]
    [InlineData("http://user:pass@example.com")]
    [InlineData("http://localhost:4566/?X-Amz-Security-Token=x")]
    [InlineData("http://localhost:4566/#ecr")]
    [InlineData("/relative")]
    public void Bad_overrides_are_refused_without_echoing_the_value(string value)
    {
        var env = DictionaryEnvironmentVariables.Of(new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ECR"] = value });
        var ex = Assert.Throws<ArgumentException>(() => EcrEndpoints.Resolve("us-east-1", env));
        Assert.Contains("AWS_ENDPOINT_URL_ECR", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(value, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("US-EAST-1")]
    [InlineData("evil.com/x")]
    public void Invalid_regions_are_refused(string region) =>
        Assert.Throws<ArgumentException>(() => EcrEndpoints.ForRegion(region));
}
