using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class EventRuleTests
{
    [Fact]
    public void Rules_are_generated_by_ForEach_over_RepositoryNames_with_alphanumeric_logical_ids()
    {
        var loop = Assert.Single(StackTemplate.Raw["Resources"]!.AsObject(), r => r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal)).Value!.AsArray();

        Assert.Equal("RepositoryName", (string)loop[0]!);
        Assert.Equal("RepositoryNames", (string)loop[1]!["Ref"]!);
        // &{} strips '/', '-', '.', '_' which ${} would copy into the logical id.
        Assert.Equal("ImageActionRule&{RepositoryName}", Assert.Single(loop[2]!.AsObject()).Key);
        Assert.Equal(
            ["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"],
            Samples.Strings(StackTemplate.Raw["Transform"]));
    }

    [Fact]
    public void One_rule_per_repository_targets_the_queue_with_the_repository_as_message_group()
    {
        var rules = Samples.WithDeletes.OfType("AWS::Events::Rule").ToList();

        Assert.Equal(Samples.Repositories.Length, rules.Count);
        foreach (var repository in Samples.Repositories)
        {
            var expectedId = "ImageActionRule" + Regex.Replace(repository, "[^A-Za-z0-9]", "");
            var (id, rule) = Assert.Single(rules, r => Samples.Strings(r.Value["Properties"]!["EventPattern"]!["detail"]!["repository-name"]).SequenceEqual([repository]));
            var properties = rule["Properties"]!;
            var target = Assert.Single(properties["Targets"]!.AsArray())!;

            Assert.Equal(expectedId, id);
            Assert.Equal("ENABLED", (string)properties["State"]!);
            Assert.Equal("{GetAtt:ReplicationQueue.Arn}", (string)target["Arn"]!);
            Assert.Equal(repository, (string)target["SqsParameters"]!["MessageGroupId"]!);
        }
    }

    [Fact]
    public void Rules_match_successful_ecr_image_actions_of_their_repository_only()
    {
        foreach (var (_, rule) in Samples.WithDeletes.OfType("AWS::Events::Rule"))
        {
            var pattern = rule["Properties"]!["EventPattern"]!;

            Assert.Equal(["aws.ecr"], Samples.Strings(pattern["source"]));
            Assert.Equal(["ECR Image Action"], Samples.Strings(pattern["detail-type"]));
            Assert.Equal(["SUCCESS"], Samples.Strings(pattern["detail"]!["result"]));
            Assert.Single(Samples.Strings(pattern["detail"]!["repository-name"]));
        }
    }

    [Fact]
    public void Delete_actions_are_matched_only_when_ReplicateDeletes_is_true()
    {
        static IEnumerable<string> Actions(DeployedTemplate stack) =>
            stack.OfType("AWS::Events::Rule").SelectMany(r => Samples.Strings(r.Value["Properties"]!["EventPattern"]!["detail"]!["action-type"])).Distinct();

        Assert.Equal(["DELETE", "PUSH"], Actions(Samples.WithDeletes).Order());
        Assert.Equal(["PUSH"], Actions(Samples.PushOnly));
    }

    [Fact]
    public void Rule_names_are_valid_eventbridge_names_even_for_the_longest_admitted_repository()
    {
        var names = Samples.WithDeletes.OfType("AWS::Events::Rule").Select(r => (string)r.Value["Properties"]!["Name"]!).ToList();

        Assert.Contains("ecr-replicator-team.app-x", names);
        Assert.Contains(names, n => n.Length == 64);
        // EventBridge rule names: 1..64 of [.\-_A-Za-z0-9] (PutRule API reference).
        Assert.All(names, n => Assert.Matches("^[.\\-_A-Za-z0-9]{1,64}$", n));
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
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
