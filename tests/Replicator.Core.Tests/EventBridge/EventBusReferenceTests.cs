using Replicator.Core.Configuration;
using Replicator.Core.EventBridge;

namespace Replicator.Core.Tests.EventBridge;

public sealed class EventBusReferenceTests
{
    [Fact]
    public void A_name_is_a_bus_of_the_callers_account_and_region()
    {
        var bus = EventBusReference.Parse(" replicated-images ", "REPLICATED_EVENT_BUS");

        Assert.Equal("replicated-images", bus.Value);
        Assert.Equal("replicated-images", bus.Name);
        Assert.False(bus.IsArn);
        Assert.Equal("eu-west-1", bus.RegionOr("eu-west-1"));
    }

    [Fact]
    public void An_ARN_names_its_region_and_account()
    {
        var bus = EventBusReference.Parse("arn:aws-cn:events:cn-northwest-1:222222222222:event-bus/central", "REPLICATED_EVENT_BUS");

        Assert.True(bus.IsArn);
        Assert.Equal("central", bus.Name);
        Assert.Equal("222222222222", bus.AccountId);
        Assert.Equal("cn-northwest-1", bus.RegionOr("us-east-1"));
        Assert.Equal("arn:aws-cn:events:cn-northwest-1:222222222222:event-bus/central", bus.Value);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("aws.partner/example.com/1/bus", "partner")]
    [InlineData("bus name", "bus name")]
    [InlineData("arn:aws:events:us-east-1:123456789012:rule/r", "is not an event bus ARN")]
    [InlineData("arn:aws:events:nowhere:123456789012:event-bus/b", "invalid region")]
    [InlineData("arn:aws:events:cn-north-1:123456789012:event-bus/b", "names partition aws, but region cn-north-1 is in aws-cn")]
    [InlineData("arn:aws:events:us-east-1:1234:event-bus/b", "not 12 digits")]
    [InlineData("arn:aws:events:us-east-1:123456789012:event-bus/", "bus name")]
    public void Bad_values_are_refused_naming_the_variable(string value, string problem)
    {
        var ex = Assert.Throws<SettingException>(() => EventBusReference.Parse(value, "REPLICATED_EVENT_BUS"));

        Assert.Equal("REPLICATED_EVENT_BUS", ex.Setting);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.StartsWith("REPLICATED_EVENT_BUS ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_longer_than_256_characters_is_refused()
    {
        Assert.Equal(256, EventBusReference.Parse(new string('a', 256), "V").Name.Length);
        Assert.Throws<SettingException>(() => EventBusReference.Parse(new string('a', 257), "V"));
    }
}
