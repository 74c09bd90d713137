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
    [InlineData(Samples.EverythingButOne)]
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
    [InlineData(Samples.EverythingButOne, "sandbox/*")]
    [InlineData("*,!team/secret*", "team/secret*")]
    [InlineData("*,!base/nginx_v1.x-y", "base/nginx_v1.x-y")]
    [InlineData(Samples.EverythingBut, "sandbox/*", "tmp/*")]
    [InlineData("*,!team/secret*,!base/nginx_v1.x-y,!tmp*", "team/secret*", "base/nginx_v1.x-y", "tmp*")]
    [InlineData("*,!c0/*,!c1/*,!c2/*,!c3/*,!c4/*,!c5/*,!c6/*,!c7/*,!c8/*,!c9/*,!d0,!d1,!d2,!d3,!d4,!d5,!d6,!d7,!sandbox/*", "c0/*", "c1/*", "c2/*", "c3/*", "c4/*", "c5/*", "c6/*", "c7/*", "c8/*", "c9/*", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "sandbox/*")]
    public void Everything_but_exclusions_is_filtered_by_EventBridge_exactly_as_the_function_filters(string filter, params string[] excluded)
    {
        var names = Pattern(Samples.Selecting(filter))["detail"]!["repository-name"]!;
        var parsed = RepositoryFilter.Parse(filter);

        // "Anything-but using a wildcard", nothing else on the field: one exclusion in the user guide's single-value
        // form, several as a list.
        JsonNode wildcard = excluded.Length == 1 ? JsonValue.Create(excluded[0]) : new JsonArray([.. excluded.Select(e => (JsonNode)e)]);
        Assert.Equal(new JsonArray(new JsonObject { ["anything-but"] = new JsonObject { ["wildcard"] = wildcard } }).ToJsonString(), names.ToJsonString());
        foreach (var name in Names)
        {
            // Excluded repositories' events are not even delivered; every other one is.
            Assert.True(parsed.Matches(name) == EventPatternMatcher.Matches(names, name), $"{filter} on {name}");
        }
    }

    [Fact]
    public void With_everything_but_sandbox_team_a_is_delivered_and_sandbox_x_is_not()
    {
        var names = Pattern(Samples.Selecting(Samples.EverythingButOne))["detail"]!["repository-name"]!;

        Assert.True(EventPatternMatcher.Matches(names, "team/a"));
        Assert.False(EventPatternMatcher.Matches(names, "sandbox/x"));
        Assert.True(EventPatternMatcher.Matches(names, "sandbox"));
    }

    [Fact]
    public void Every_repository_is_selected_without_a_wildcard_so_the_rule_takes_none_of_the_bus_30_wildcard_rules()
    {
        // EventBridge allows at most 30 rules whose patterns contain wildcards per event bus and account, a quota that
        // cannot be adjusted ("Rules containing wildcards", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html).
        // ECR's events go to the default bus, shared with every other rule of the account and region; "*" needs no
        // filter on the name at all, so its rule must not spend one of those 30.
        var pattern = Pattern(Samples.Selecting("*"));

        Assert.DoesNotContain("wildcard", pattern.ToJsonString(), StringComparison.Ordinal);
        Assert.Null(pattern["detail"]!["repository-name"]);
        var result = ProcessRunner.Run("python3", [RepositoryRoot.File("tests", "Stack.Tests", "tools", "event_pattern_moto.py"), pattern.ToJsonString(), IntrinsicEvaluator.AccountId, IntrinsicEvaluator.Region, .. Names]);
        Assert.True(result.ExitCode == 0, "event_pattern_moto.py failed: " + result.Describe());
        Assert.All(JsonNode.Parse(result.StandardOutput)!.AsArray(), matched => Assert.True((bool)matched!));
    }

    [Theory]
    [InlineData("team/*,base/nginx")]
    [InlineData(Samples.Filter)]
    [InlineData("team/*,!team/secret*")]
    [InlineData("!sandbox/*,*")]
    [InlineData("*,base/nginx")]
    [InlineData("*,!sandbox/*,base/nginx")]
    [InlineData("*,!sandbox/*,*")]
    public void Other_selections_are_included_by_the_rule_and_their_exclusions_left_to_the_function(string filter)
    {
        var names = Pattern(Samples.Selecting(filter))["detail"]!["repository-name"]!;
        var parsed = RepositoryFilter.Parse(filter);

        // One wildcard per pattern, exclusions included (as '!...', which matches no repository name): anything-but
        // is used for no other shape, since an include other than '*' ANDed with it is not expressible.
        Assert.Equal(
            filter.Split(',').Select(p => new JsonObject { ["wildcard"] = p }.ToJsonString()),
            names.AsArray().Select(n => n!.ToJsonString()));
        foreach (var name in Names)
        {
            var includedByFunction = parsed.Includes.Any(p => p.Matches(name));
            Assert.True(includedByFunction == EventPatternMatcher.Matches(names, name), $"{filter} on {name}");
            // What the rule lets through and the filter refuses is only ever an exclusion, which the function skips.
            Assert.True(!parsed.Matches(name) || EventPatternMatcher.Matches(names, name), $"{filter} on {name}");
        }
    }

    [Theory]
    [InlineData(Samples.EverythingButOne)]
    [InlineData(Samples.EverythingBut)]
    [InlineData("*,!team/secret*,!base/nginx_v1.x-y,!tmp*")]
    [InlineData(Samples.Filter)]
    [InlineData("*")]
    public void Moto_matches_the_rendered_pattern_as_the_simulation_does(string filter)
    {
        // The simulation above is ours; moto's EventBridge pattern matcher is an independent reading of the same
        // operators, so the two must agree on every sample name.
        var pattern = Pattern(Samples.Selecting(filter));
        var result = ProcessRunner.Run("python3", [RepositoryRoot.File("tests", "Stack.Tests", "tools", "event_pattern_moto.py"), pattern.ToJsonString(), IntrinsicEvaluator.AccountId, IntrinsicEvaluator.Region, .. Names]);
        Assert.True(result.ExitCode == 0, "event_pattern_moto.py failed: " + result.Describe());

        var byMoto = JsonNode.Parse(result.StandardOutput)!.AsArray().Select(b => (bool)b!);
        Assert.Equal(Names.Select(n => EventPatternMatcher.Matches(pattern["detail"]!["repository-name"]!, n)), byMoto);
    }

    [Fact]
    public void The_rule_matches_successful_ecr_image_actions_only()
    {
        var pattern = Pattern(Samples.WithDeletes);

        Assert.Equal(["aws.ecr"], Samples.Strings(pattern["source"]));
        Assert.Equal(["ECR Image Action", "ECR Referrer Action"], Samples.Strings(pattern["detail-type"]));
        Assert.Equal(["SUCCESS"], Samples.Strings(pattern["detail"]!["result"]));
        Assert.Equal(["source", "detail-type", "account", "region", "detail"], pattern.Select(p => p.Key));
    }

    [Fact]
    public void The_rule_matches_only_the_stack_own_account_and_region()
    {
        // The function refuses any other source; the rule does not send one (an event another region's or account's
        // bus forwards to this bus keeps its own account and region).
        foreach (var (name, stack) in Samples.EveryBranch().Append(("everything-but", Samples.Selecting(Samples.EverythingBut))).Append(("everything-but-one", Samples.Selecting(Samples.EverythingButOne))))
        {
            var pattern = Pattern(stack);
            Assert.True(Samples.Strings(pattern["account"]).SequenceEqual([IntrinsicEvaluator.AccountId]), name);
            Assert.True(Samples.Strings(pattern["region"]).SequenceEqual([IntrinsicEvaluator.Region]), name);
        }
    }

    [Theory]
    [InlineData("210987654321", IntrinsicEvaluator.Region)]
    [InlineData(IntrinsicEvaluator.AccountId, "eu-west-1")]
    public void Moto_matches_no_event_of_another_account_or_region(string account, string region)
    {
        var pattern = Pattern(Samples.Selecting("*"));
        var result = ProcessRunner.Run("python3", [RepositoryRoot.File("tests", "Stack.Tests", "tools", "event_pattern_moto.py"), pattern.ToJsonString(), account, region, .. Names]);
        Assert.True(result.ExitCode == 0, "event_pattern_moto.py failed: " + result.Describe());

        Assert.Equal(Names.Length, JsonNode.Parse(result.StandardOutput)!.AsArray().Count);
        Assert.All(JsonNode.Parse(result.StandardOutput)!.AsArray(), matched => Assert.False((bool)matched!));
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
    public void The_rule_is_created_and_updated_after_the_function_so_a_widened_selection_meets_its_new_settings()
    {
        // DependsOn orders updates as it orders creation: the rule's new pattern (a wider RepositoryFilter, DELETE once
        // ReplicateDeletes is on) goes live only once the function runs the matching REPOSITORY_FILTER and
        // REPLICATE_DELETES, which would otherwise acknowledge the newly selected events as skipped.
        foreach (var (name, stack) in Samples.EveryBranch())
        {
            Assert.True(Samples.Strings(stack.Resource("ImageActionRule")["DependsOn"]).Contains("ReplicatorFunction"), name);
            Assert.Equal("AWS::Lambda::Function", (string)stack.Resource("ReplicatorFunction")["Type"]!);
        }
    }

    [Fact]
    public void A_template_rule_rejects_the_stack_region_as_a_destination()
    {
        var assertion = Assert.Single(StackTemplate.Raw["Rules"]!["DestinationsExcludeSourceRegion"]!["Assertions"]!.AsArray())!;
        var contains = assertion["Assert"]!["Fn::Not"]![0]!["Fn::Contains"]!;

        Assert.Equal("DestinationRegions", (string)contains[0]!["Ref"]!);
        Assert.Equal("AWS::Region", (string)contains[1]!["Ref"]!);
    }

    [Fact]
    public void A_template_rule_rejects_the_stack_region_as_another_partition_destination()
    {
        var assertion = Assert.Single(StackTemplate.Raw["Rules"]!["OtherPartitionDestinationsExcludeSourceRegion"]!["Assertions"]!.AsArray())!;
        var contains = assertion["Assert"]!["Fn::Not"]![0]!["Fn::Contains"]!;

        Assert.Equal("OtherPartitionDestinations", (string)contains[0]!["Ref"]!);
        Assert.Equal("AWS::Region", (string)contains[1]!["Ref"]!);
    }
}
