using Replicator.Function.Configuration;
using Replicator.Testing;

namespace Replicator.Function.Tests.Configuration;

/// <summary>REPLICATED_EVENT_BUS: off when unset, a name or an ARN, its endpoint resolved at init.</summary>
public sealed class ReplicatedEventBusConfigTests
{
    [Fact]
    public void Unset_or_blank_turns_the_events_off()
    {
        Assert.Null(Load().ReplicatedEventBus);
        Assert.Null(Load(("REPLICATED_EVENT_BUS", "  ")).ReplicatedEventEndpoint);
    }

    [Fact]
    public void A_name_is_sent_to_the_functions_region()
    {
        var config = Load(("REPLICATED_EVENT_BUS", "replicated"));

        Assert.Equal("replicated", config.ReplicatedEventBus!.Value);
        Assert.Equal(new Uri("https://events.us-east-1.amazonaws.com/"), config.ReplicatedEventEndpoint);
    }

    [Fact]
    public void An_ARN_is_sent_to_its_own_region_with_FIPS_honoured()
    {
        var config = Load(("AWS_REGION", "us-gov-west-1"), ("DESTINATION_REGIONS", "us-gov-east-1"), ("REPLICATED_EVENT_BUS", "arn:aws-us-gov:events:us-gov-east-1:222222222222:event-bus/central"), ("AWS_USE_FIPS_ENDPOINT", "true"));

        Assert.Equal("us-gov-east-1", config.ReplicatedEventBus!.RegionOr(config.Region));
        Assert.Equal(new Uri("https://events.us-gov-east-1.amazonaws.com/"), config.ReplicatedEventEndpoint);
        Assert.Equal(
            new Uri("https://events-fips.eu-west-1.amazonaws.com/"),
            Load(("REPLICATED_EVENT_BUS", "arn:aws:events:eu-west-1:222222222222:event-bus/central"), ("AWS_USE_FIPS_ENDPOINT", "true")).ReplicatedEventEndpoint);
    }

    [Fact]
    public void The_EventBridge_endpoint_override_applies()
    {
        var config = Load(("REPLICATED_EVENT_BUS", "replicated"), ("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:4566"));

        Assert.Equal(new Uri("http://127.0.0.1:4566/"), config.ReplicatedEventEndpoint);
    }

    [Theory]
    [InlineData("arn:aws-us-gov:events:us-gov-east-1:222222222222:event-bus/central", "aws-us-gov")]
    [InlineData("arn:aws-cn:events:cn-north-1:222222222222:event-bus/central", "aws-cn")]
    public void A_bus_in_another_partition_is_an_init_error_since_the_functions_credentials_are_not_valid_there(string arn, string partition)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Load(("REPLICATED_EVENT_BUS", arn)));

        Assert.Equal("REPLICATED_EVENT_BUS", ex.Variable);
        Assert.Contains($"partition {partition}, but the function runs in aws (AWS_REGION us-east-1)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("REPLICATED_EVENT_BUS", "aws.partner/example.com/1/bus", "REPLICATED_EVENT_BUS")]
    [InlineData("REPLICATED_EVENT_BUS", "arn:aws:events:us-east-1:123456789012:rule/r", "REPLICATED_EVENT_BUS")]
    [InlineData("AWS_ENDPOINT_URL_EVENTBRIDGE", "not a url", "AWS_ENDPOINT_URL_EVENTBRIDGE")]
    [InlineData("AWS_USE_FIPS_ENDPOINT", "yes", "AWS_USE_FIPS_ENDPOINT")]
    public void A_bad_value_is_an_init_error_naming_the_variable(string variable, string value, string named)
    {
        var ex = Assert.Throws<ConfigurationException>(() => Load(("REPLICATED_EVENT_BUS", "replicated"), (variable, value)));

        Assert.Equal(named, ex.Variable);
        Assert.StartsWith(named + ": ", ex.Message, StringComparison.Ordinal);
    }

    private static FunctionConfig Load(params (string Name, string? Value)[] overrides)
    {
        var values = new Dictionary<string, string?> { ["AWS_REGION"] = "us-east-1", ["DESTINATION_REGIONS"] = "us-west-2" };
        foreach (var (name, value) in overrides)
        {
            values[name] = value;
        }

        return FunctionConfig.Load(new DictionaryEnvironmentVariables(values));
    }
}
