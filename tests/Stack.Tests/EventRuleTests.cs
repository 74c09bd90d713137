using System.Text.Json.Nodes;
using Replicator.Core.Selection;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class EventRuleTests
{
    private static readonly string[] Names =
    [
        "team/app", "team/secret", "team/secrets", "team", "teams/app", "base/nginx_v1.x-y", "base/nginx_v1.x-yz",
        "sandbox/x", "tmp/y", "tmpl/z", "other",
    ];

    private static JsonObject Pattern(DeployedTemplate stack)
    {
        var rule = stack.Resource("ImageActionRule");
        // EventPattern is a JSON string built from the parameter; EventBridge parses it.
        return JsonNode.Parse((string)rule["Properties"]!["EventPattern"]!)!.AsObject();
    }

    [Theory]
    [InlineData("team/*,base/nginx")]
    [InlineData(Samples.EverythingBut)]
    [InlineData("a0/*,a1/*,a2/*,a3/*,a4/*,a5/*,a6/*,a7/*,a8/*,a9/*,b0,b1,b2,b3,b4,b5,b6,b7,!c8/*,!c9/*")]
    public void One_rule_and_a_fixed_set_of_resources_whatever_the_selection(string filter)
    {
        var stack = Samples.Selecting(filter);
        var baseline = Samples.Selecting("*");

        // One rule for ECR's events (the other is the reconcile schedule, which has no pattern).
        Assert.Single(stack.OfType("AWS::Events::Rule"), r => r.Value["Properties"]!["EventPattern"] is not null);
        Assert.Single(stack.OfType("AWS::Pipes::Pipe"));
        Assert.Equal(baseline.Resources.Select(r => r.Key).Order(), stack.Resources.Select(r => r.Key).Order());
    }

    [Theory]
    [InlineData("*")]
    [InlineData("team/*,base/nginx")]
    [InlineData(Samples.EverythingBut)]
    [InlineData(Samples.Filter)]
    public void The_rule_selects_what_the_function_includes_and_leaves_exclusions_to_the_function(string filter)
    {
        var stack = Samples.Selecting(filter);
        var names = Pattern(stack)["detail"]!["repository-name"]!;
        var parsed = RepositoryFilter.Parse(filter);

        foreach (var name in Names)
        {
            var includedByFunction = parsed.Includes.Any(p => p.Matches(name));
            Assert.True(includedByFunction == EventPatternMatcher.Matches(names, name), $"{filter} on {name}");
            // What the rule lets through and the filter refuses is only ever an exclusion, which the function skips.
            Assert.True(!parsed.Matches(name) || EventPatternMatcher.Matches(names, name), $"{filter} on {name}");
        }
    }

    [Fact]
    public void The_rule_matches_successful_ecr_image_actions_only()
    {
        var pattern = Pattern(Samples.WithDeletes);

        Assert.Equal(["aws.ecr"], Samples.Strings(pattern["source"]));
        Assert.Equal(["ECR Image Action"], Samples.Strings(pattern["detail-type"]));
        Assert.Equal(["SUCCESS"], Samples.Strings(pattern["detail"]!["result"]));
        Assert.Equal(["source", "detail-type", "detail"], pattern.Select(p => p.Key));
    }

    [Fact]
    public void Delete_actions_are_matched_only_when_ReplicateDeletes_is_true()
    {
        Assert.Equal(["PUSH", "DELETE"], Samples.Strings(Pattern(Samples.WithDeletes)["detail"]!["action-type"]));
        Assert.Equal(["PUSH"], Samples.Strings(Pattern(Samples.PushOnly)["detail"]!["action-type"]));
    }

    [Fact]
    public void The_rule_targets_the_intake_queue_with_a_dead_letter_queue_and_no_message_group()
    {
        var rule = Samples.WithDeletes.Resource("ImageActionRule");
        var target = Assert.Single(rule["Properties"]!["Targets"]!.AsArray())!;

        Assert.Equal("ENABLED", (string)rule["Properties"]!["State"]!);
        Assert.Equal("{GetAtt:IntakeQueue.Arn}", (string)target["Arn"]!);
        Assert.Equal("{GetAtt:IntakeDeadLetterQueue.Arn}", (string)target["DeadLetterConfig"]!["Arn"]!);
        // The intake queue is a standard queue: a static group id is exactly what this design removes.
        Assert.Null(target["SqsParameters"]);
        Assert.Null(rule["Properties"]!["Name"]);
    }

    [Fact]
    public void A_template_rule_rejects_the_stack_region_as_a_destination()
    {
        var assertion = Assert.Single(StackTemplate.Raw["Rules"]!["DestinationsExcludeSourceRegion"]!["Assertions"]!.AsArray())!;
        var contains = assertion["Assert"]!["Fn::Not"]![0]!["Fn::Contains"]!;

        Assert.Equal("DestinationRegions", (string)contains[0]!["Ref"]!);
        Assert.Equal("AWS::Region", (string)contains[1]!["Ref"]!);
    }
}
