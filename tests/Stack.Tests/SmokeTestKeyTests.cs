using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// scripts/smoke-test.sh reads the deployed stack's parameters and outputs by key (describe-stacks). A key the template
/// no longer declares reads as empty, which the script reports as "is it an ecr-replicator stack?" or, for an optional
/// parameter such as RepositoryMapping, silently ignores: so every key it reads must be declared in template.yaml.
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

        var declaredParameters = StackTemplate.Raw["Parameters"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var declaredOutputs = StackTemplate.Raw["Outputs"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Assert.All(parameters, key => Assert.True(declaredParameters.Contains(key), $"smoke-test.sh reads parameter {key}, which template.yaml does not declare"));
        Assert.All(outputs, key => Assert.True(declaredOutputs.Contains(key), $"smoke-test.sh reads output {key}, which template.yaml does not declare"));
    }

    [GeneratedRegex(@"\bstack_value\s+(?<kind>Parameter|Output)\s+(?<key>\w+)")]
    private static partial Regex StackValue();
}
