using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/smoke-test.sh reads the deployed stack's parameters and outputs by key (describe-stacks). A required key the
/// stack lacks is reported as "is it an ecr-replicator stack?", and an optional one such as RepositoryMapping reads as
/// empty, silently: so every key it reads must be declared in template.yaml.
/// </summary>
public sealed partial class SmokeTestKeyTests
{
    [Fact]
    public void Every_parameter_and_output_the_smoke_test_reads_is_declared_in_the_template()
    {
        var script = File.ReadAllText(RepositoryRoot.File("scripts", "smoke-test.sh"));
        var reads = StackValue().Matches(script).Select(m => (Kind: m.Groups["kind"].Value, Key: m.Groups["key"].Value)).Distinct().ToList();
        var parameters = reads.Where(r => r.Kind == "Parameter").Select(r => r.Key).ToList();
        var outputs = reads.Where(r => r.Kind == "Output").Select(r => r.Key).ToList();

        // The keys the script cannot work without: if these are not found, the pattern no longer matches how it reads.
        Assert.Contains("DestinationRegions", parameters);
        Assert.Contains("RepositoryFilter", parameters);
        Assert.Contains("ReplicatorFunctionName", outputs);
        Assert.Contains("RepositoryMapping", parameters);

        var declaredParameters = StackTemplate.Raw["Parameters"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var declaredOutputs = StackTemplate.Raw["Outputs"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Assert.All(parameters, key => Assert.True(declaredParameters.Contains(key), $"smoke-test.sh reads parameter {key}, which template.yaml does not declare"));
        Assert.All(outputs, key => Assert.True(declaredOutputs.Contains(key), $"smoke-test.sh reads output {key}, which template.yaml does not declare"));
    }

    [Fact]
    public void A_stack_whose_destinations_are_all_in_other_accounts_is_told_apart_from_one_without_the_parameter()
    {
        // DestinationRegions may be empty (every destination in OtherAccountDestinations): describe-stacks lists the
        // parameter with an empty value. The smoke test checks same-account regions only, and must say that.
        var empty = SmokeTest("""
            {"ParameterKey": "DestinationRegions", "ParameterValue": ""},
            {"ParameterKey": "OtherAccountDestinations", "ParameterValue": "222222222222:us-west-2"},
            """);
        Assert.Equal(1, empty.ExitCode);
        var message = Assert.Single(empty.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("has no DestinationRegions (its destinations are 222222222222:us-west-2)", message, StringComparison.Ordinal);
        Assert.Contains("checks only same-account DestinationRegions", message, StringComparison.Ordinal);
        Assert.DoesNotContain("is it an ecr-replicator stack?", message, StringComparison.Ordinal);

        var missing = SmokeTest("");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal(
            "error: stack ecr-replicator has no DestinationRegions parameter: is it an ecr-replicator stack?",
            missing.StandardError.Trim());
    }

    [Fact]
    public void An_optional_parameter_the_stack_lacks_reads_as_empty()
    {
        // No RepositoryMapping, OtherAccountDestinations or OtherPartitionDestinations (a stack of an older template):
        // the script goes on to its next check, the repository selection, and stops there (a filter of exact names
        // only offers no scratch name under a prefix).
        var result = SmokeTest("""{"ParameterKey": "DestinationRegions", "ParameterValue": "us-west-2"},""", filter: "base/nginx");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not replicate ecr-replicator-smoke (RepositoryFilter=base/nginx)", result.StandardError, StringComparison.Ordinal);
    }

    /// <summary>scripts/smoke-test.sh on a describe-stacks document; every case here stops before it pushes anything.</summary>
    private static ProcessResult SmokeTest(string parameters, string filter = "*")
    {
        var description = Path.Combine(Path.GetTempPath(), $"smoke-stack-{Guid.NewGuid():N}.json");
        File.WriteAllText(description, $$"""
            {"Stacks": [{
              "StackName": "ecr-replicator",
              "StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/ecr-replicator/6e1b2d40-0000-0000-0000-000000000000",
              "Parameters": [{{parameters}}
                {"ParameterKey": "RepositoryFilter", "ParameterValue": "{{filter}}"}
              ],
              "Outputs": [{"OutputKey": "ReplicatorFunctionName", "OutputValue": "ecr-replicator-ReplicatorFunction-1"}]
            }]}
            """);
        try
        {
            return ProcessRunner.Run(
                "bash",
                [RepositoryRoot.File("scripts", "smoke-test.sh"), "ecr-replicator"],
                environment: new Dictionary<string, string> { ["SMOKE_STACK_DESCRIPTION"] = description, ["REPLICATOR"] = "false" },
                unset: ["SMOKE_REPOSITORY"]);
        }
        finally
        {
            File.Delete(description);
        }
    }

    [GeneratedRegex(@"\b(?:optional_)?stack_value\s+(?<kind>Parameter|Output)\s+(?<key>\w+)")]
    private static partial Regex StackValue();
}
