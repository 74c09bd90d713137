using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed partial class ScaleTests
{
    /// <summary>IAM quota: the inline policies of one role share 10,240 characters (whitespace not counted).</summary>
    private const int InlinePolicyQuota = 10_240;

    [Fact]
    public void Forty_five_repositories_with_the_longest_names_fit_the_inline_policy_quota()
    {
        var repositories = Enumerable.Range(0, 45).Select(i => $"r{i:00}/" + new string('x', 45)).ToList();
        Assert.All(repositories, r => Assert.Equal(49, r.Length));
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryNames"] = string.Join(',', repositories),
            ["DestinationRegions"] = "us-west-2,us-east-2,eu-west-1,eu-central-1,ap-southeast-2",
        });

        Assert.Equal(45, stack.OfType("AWS::Events::Rule").Count());
        var size = stack.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray()
            .Sum(p => ((string)p!["PolicyName"]!).Length + Minified(p["PolicyDocument"]!).Length);
        Assert.True(size < InlinePolicyQuota && size > 0, $"inline policies take {size} characters");
    }

    /// <summary>Policy JSON without whitespace, symbolic references replaced by ARNs of a realistic length.</summary>
    private static string Minified(JsonNode document) =>
        Reference().Replace(document.ToJsonString(), new string('a', 100));

    [GeneratedRegex(@"\{(?:Ref|GetAtt):[^}]+\}")]
    private static partial Regex Reference();
}
