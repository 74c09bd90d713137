using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.EventBridge;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>The ReplicatedEventBus parameter: its pattern, the function's variable, and events:PutEvents on that bus only.</summary>
public sealed class ReplicatedEventBusTests
{
    private const string Account = IntrinsicEvaluator.AccountId;

    private static readonly Lazy<DeployedTemplate> ByName = new(() => Expand("replicated"));

    private static readonly Lazy<DeployedTemplate> ByArn = new(() => Expand("arn:aws:events:eu-west-1:222222222222:event-bus/central"));

    [Fact]
    public void A_bus_name_is_granted_PutEvents_on_that_bus_of_this_account_and_region_only()
    {
        var statement = Assert.Single(PutEventsStatements(ByName.Value));

        Assert.Equal(["events:PutEvents"], statement.Actions);
        Assert.Equal([$"arn:aws:events:us-east-1:{Account}:event-bus/replicated"], statement.Resources);

        // Only the function's own events: on a shared bus the role cannot publish as another source.
        Assert.Equal(["events:source", "events:detail-type"], statement.Condition!["StringEquals"]!.AsObject().Select(p => p.Key));
        Assert.Equal([Replicator.Function.ReplicatedEvents.ReplicatedEventFactory.Source], statement.ConditionValues("StringEquals", "events:source"));
        Assert.Equal([Replicator.Function.ReplicatedEvents.ReplicatedEventFactory.DetailType], statement.ConditionValues("StringEquals", "events:detail-type"));
        Assert.Equal("replicated", (string)ByName.Value.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATED_EVENT_BUS"]!);
    }

    [Fact]
    public void A_bus_ARN_is_granted_as_given()
    {
        var statement = Assert.Single(PutEventsStatements(ByArn.Value));

        Assert.Equal(["arn:aws:events:eu-west-1:222222222222:event-bus/central"], statement.Resources);
        Assert.Equal([Replicator.Function.ReplicatedEvents.ReplicatedEventFactory.Source], statement.ConditionValues("StringEquals", "events:source"));
        Assert.Equal("arn:aws:events:eu-west-1:222222222222:event-bus/central", (string)ByArn.Value.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATED_EVENT_BUS"]!);
    }

    [Fact]
    public void Without_a_bus_there_is_no_events_permission_and_the_variable_is_empty()
    {
        Assert.Empty(PutEventsStatements(Samples.PushOnly));
        Assert.DoesNotContain(Samples.PushOnly.OfType("AWS::IAM::RolePolicy"), r => r.Key == "PublishReplicatedEvents");
        Assert.Equal(string.Empty, (string)Samples.PushOnly.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATED_EVENT_BUS"]!);
    }

    // The parameter's pattern and the function's parser agree: what CloudFormation admits the function starts with,
    // and what the function would refuse CloudFormation refuses first (so a bad value fails the deploy, not the init).
    [Theory]
    [InlineData("", true)]
    [InlineData("default", true)]
    [InlineData("replicated-images_v1.0", true)]
    [InlineData("arn:aws:events:us-east-1:123456789012:event-bus/replicated", true)]
    [InlineData("arn:aws-cn:events:cn-north-1:123456789012:event-bus/replicated", true)]
    [InlineData("arn:aws-us-gov:events:us-gov-west-1:123456789012:event-bus/default", true)]
    [InlineData("aws.partner/example.com/123/bus", false)]
    [InlineData("has space", false)]
    [InlineData("arn:aws:events:us-east-1:12345:event-bus/replicated", false)]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:queue", false)]
    [InlineData("arn:aws:events:us-east-1:123456789012:rule/replicated", false)]
    public void The_pattern_admits_names_and_ARNs_and_the_function_accepts_what_it_admits(string value, bool admitted)
    {
        var pattern = (string)StackTemplate.Raw["Parameters"]!["ReplicatedEventBus"]!["AllowedPattern"]!;
        Assert.Equal(admitted, Regex.IsMatch(value, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        if (value.Length == 0)
        {
            return;
        }

        var parsed = Record.Exception(() => EventBusReference.Parse(value, "REPLICATED_EVENT_BUS"));
        if (admitted)
        {
            Assert.Null(parsed);
        }
        else
        {
            Assert.IsType<SettingException>(parsed);
        }
    }

    private static DeployedTemplate Expand(string bus) => StackTemplate.Expand(new Dictionary<string, string>
    {
        ["RepositoryFilter"] = "team/*",
        ["DestinationRegions"] = "us-west-2",
        ["ReplicatedEventBus"] = bus,
    });

    private static List<PolicyStatement> PutEventsStatements(DeployedTemplate stack)
    {
        var role = stack.Properties("ReplicatorFunctionRole");
        var statements = role["Policies"]!.AsArray().SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!)).ToList();
        statements.AddRange(stack.OfType("AWS::IAM::RolePolicy").SelectMany(r => PolicyStatement.Of(r.Key, r.Value["Properties"]!["PolicyDocument"]!)));
        return [.. statements.Where(s => s.Actions.Any(a => a.StartsWith("events:", StringComparison.Ordinal)))];
    }
}
