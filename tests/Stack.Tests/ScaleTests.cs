using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

public sealed partial class ScaleTests
{
    /// <summary>IAM quota: the inline policies of one role share 10,240 characters (whitespace not counted).</summary>
    private const int InlinePolicyQuota = 10_240;

    /// <summary>IAM quota: one managed policy document, 6,144 characters (whitespace not counted).</summary>
    private const int ManagedPolicyQuota = 6_144;

    /// <summary>
    /// EventBridge's default quota on an event pattern's size, 2,048 characters ("Event pattern size" in
    /// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html). It is adjustable, and the API's model
    /// (botocore's events model, EventPattern) admits 4,096, but a stack must deploy without a quota request.
    /// </summary>
    private const int EventPatternQuota = 2_048;

    [Fact]
    public void Twenty_patterns_of_the_longest_admitted_filter_and_ten_mapping_rules_fit_the_policy_and_pattern_quotas()
    {
        // 1,024 characters (the parameter's MaxLength) in 20 patterns, the most the parameter admits.
        var patterns = Enumerable.Range(0, 20).Select(i => $"r{i:00}/" + new string('x', 45) + "*").ToList();
        var filter = string.Join(',', patterns);
        Assert.InRange(filter.Length, 1000, 1024);
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = filter,
            ["DestinationRegions"] = "us-west-2,us-east-2,eu-west-1,eu-central-1,ap-southeast-2",
            ["RepositoryMapping"] = LongestMapping(),
            // Adds the KMS statement to each destination policy.
            ["DestinationKmsKeys"] = "us-west-2=arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab,eu-west-1=alias/replicas",
        });

        var inline = stack.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray()
            .Sum(p => ((string)p!["PolicyName"]!).Length + Minified(p["PolicyDocument"]!).Length);
        Assert.True(inline < InlinePolicyQuota, $"inline policies take {inline} characters");
        var managed = stack.OfType("AWS::IAM::ManagedPolicy").Select(p => Minified(p.Value["Properties"]!["PolicyDocument"]!).Length).ToList();
        Assert.Equal(5, managed.Count);
        Assert.All(managed, size => Assert.True(size < ManagedPolicyQuota, $"a managed policy takes {size} characters"));
        Assert.All(stack.OfType("AWS::IAM::ManagedPolicy"), p => Assert.Contains("kms:CreateGrant", p.Value.ToJsonString(), StringComparison.Ordinal));
        var pattern = (string)stack.Properties("ImageActionRule")["EventPattern"]!;
        Assert.True(pattern.Length < EventPatternQuota, $"the event pattern takes {pattern.Length} characters");
    }

    /// <summary>
    /// The role's inline policies share the quota with the AWS::IAM::RolePolicy resources attached to it: one per
    /// other-account destination, per DestinationRoleArns entry and per DestinationCredentials entry. With the longest
    /// filter (exclusions included), every other list parameter at its longest admitted values, a DestinationRoleName of
    /// <paramref name="roleNameLength"/> characters and <paramref name="entries"/> of each, they must fit;
    /// docs/deploy.md states these counts as the bounds.
    /// </summary>
    [Theory]
    [InlineData(1, false, LongestRoleName)]
    [InlineData(OtherDestinationEntriesThatFit, false, LongestRoleName)]
    [InlineData(OtherDestinationEntriesThatFit + 1, false, RoleNameForOneMoreEntry)]
    [InlineData(1, true, LongestRoleName)]
    [InlineData(OtherDestinationEntriesThatFitInVpc, true, LongestRoleName)]
    public void Inline_policies_and_the_role_policies_of_other_destinations_fit_the_roles_quota(int entries, bool inVpc, int roleNameLength)
    {
        var stack = StackTemplate.Expand(OtherDestinations(entries, inVpc, roleNameLength));
        Assert.Empty(stack.Evaluator.FailedAssertions(StackTemplate.Raw));

        var used = InlinePolicyCharacters(stack);

        Assert.Equal(entries * 3, stack.OfType("AWS::IAM::RolePolicy").Count(p => p.Key.StartsWith("Assume", StringComparison.Ordinal) || p.Key.StartsWith("ReadDestinationCredentials", StringComparison.Ordinal)));
        Assert.True(used < InlinePolicyQuota, $"{entries} entries of each: the role's inline policies take {used} characters");
    }

    /// <summary>
    /// Each other-account destination's grant and each DestinationRoleArns entry's Deny repeat DestinationRoleName, so
    /// its length moves the bound: the documented counts were once measured with the default name (26 characters)
    /// while the parameter admitted 64, and three entries of each at 64 did not fit.
    /// </summary>
    [Theory]
    [InlineData(OtherDestinationEntriesThatFit, false, LongestRoleName, "2 each is the bound that always holds")]
    [InlineData(OtherDestinationEntriesThatFit, false, RoleNameForOneMoreEntry + 1, "3 each with a `DestinationRoleName` of at most 33 characters")]
    [InlineData(OtherDestinationEntriesThatFitInVpc, true, LongestRoleName, "2 each with `SubnetIds` too")]
    public void One_more_entry_of_each_than_the_documented_bound_would_overflow_the_roles_quota(int bound, bool inVpc, int roleNameLength, string documented)
    {
        var used = InlinePolicyCharacters(StackTemplate.Expand(OtherDestinations(bound + 1, inVpc, roleNameLength)));

        Assert.True(used >= InlinePolicyQuota, $"{bound + 1} entries of each take only {used} characters: raise the documented bound");
        Assert.Contains(documented, File.ReadAllText(RepositoryRoot.File("docs", "deploy.md")), StringComparison.Ordinal);
    }

    /// <summary>What docs/deploy.md promises: this many other-account destinations, role ARNs and credentials at once.</summary>
    private const int OtherDestinationEntriesThatFit = 2;

    /// <summary>The same in a VPC, where the role's "vpc" inline policy takes its share of the quota.</summary>
    private const int OtherDestinationEntriesThatFitInVpc = 2;

    /// <summary>The longest DestinationRoleName template.yaml admits, path and name (its AllowedPattern).</summary>
    private const int LongestRoleName = 85;

    /// <summary>The longest DestinationRoleName with which one more entry of each than the bound still fits (docs/deploy.md).</summary>
    private const int RoleNameForOneMoreEntry = 33;

    private static int InlinePolicyCharacters(DeployedTemplate stack) =>
        stack.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray()
            .Sum(p => ((string)p!["PolicyName"]!).Length + Minified(p["PolicyDocument"]!).Length)
        + stack.OfType("AWS::IAM::RolePolicy")
            .Select(p => p.Value["Properties"]!)
            .Sum(p => ((string)p["PolicyName"]!).Length + Minified(p["PolicyDocument"]!).Length);

    /// <summary>
    /// The longest admitted filter with exclusions, and <paramref name="entries"/> other-account destinations (each
    /// its own account) assuming a DestinationRoleName of <paramref name="roleNameLength"/> characters (by default the
    /// longest admitted, a path and name of 85), role ARNs of the longest admitted path and name, and
    /// other-partition credentials of the longest admitted entry.
    /// </summary>
    private static Dictionary<string, string> OtherDestinations(int entries, bool inVpc = false, int roleNameLength = LongestRoleName)
    {
        var patterns = Enumerable.Range(0, 18).Select(i => $"r{i:00}/" + new string('x', 45) + "*").Concat(["!s00/" + new string('y', 40) + "*", "!s01/*"]).ToList();
        var filter = string.Join(',', patterns);
        filter = filter[..^1] + new string('z', 1024 - filter.Length) + "*";
        var accounts = Enumerable.Range(0, entries).Select(i => (200_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var role = "role/" + new string('p', 40) + "/" + new string('n', 44);
        var credentials = Enumerable.Range(0, entries).Select(i => $"{300_000_000_000L + i}:cn-north-1=ssm:/" + new string('s', 109 - "300000000000:cn-north-1=ssm:/".Length - 2) + $"{i:00}");
        return new Dictionary<string, string>
        {
            ["RepositoryFilter"] = filter,
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = string.Join(',', accounts.Select(a => $"{a}:ap-southeast-2")),
            ["DestinationRoleName"] = roleNameLength > 64 ? new string('q', roleNameLength - 65) + "/" + new string('m', 64) : new string('m', roleNameLength),
            ["DestinationRoleArns"] = string.Join(',', accounts.Select(a => $"{a}=arn:aws:iam::{a}:{role}")),
            ["OtherPartitionDestinations"] = string.Join(',', credentials.Select(c => c[..c.IndexOf('=', StringComparison.Ordinal)])),
            ["DestinationCredentials"] = string.Join(',', credentials),
            // Its PutEvents policy is one more RolePolicy; the reconciler's is there by default.
            ["ReplicatedEventBus"] = "arn:aws:events:us-east-1:123456789012:event-bus/" + new string('b', 256),
            // In a VPC (Lambda's most subnets and security groups), the role's "vpc" inline policy too; its size does
            // not depend on the number of ids.
            ["SubnetIds"] = inVpc ? string.Join(',', Enumerable.Range(0, 16).Select(i => $"subnet-{i:x17}")) : "",
            ["SecurityGroupIds"] = inVpc ? string.Join(',', Enumerable.Range(0, 5).Select(i => $"sg-{i:x17}")) : "",
        };
    }

    /// <summary>
    /// Lambda quota: "Environment variables: 4 KB, for all environment variables associated with the function, in
    /// aggregate" (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). Measured here as the JSON of the
    /// variables (names, values, quotes and separators), at least what Lambda counts.
    /// </summary>
    private const int EnvironmentQuota = 4_096;

    private static readonly JsonSerializerOptions AsWritten = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// A large but realistic configuration, every list parameter used: 4 regions of this account, 3 other accounts
    /// with 2 regions each and a role of their own, 2 destinations of other partitions, a KMS key ARN for each
    /// destination, a 10-pattern filter, the documented cosign TagFilter and a replicated-event bus ARN. The whole
    /// environment is measured, so a new variable that pushes it over the quota fails here.
    /// </summary>
    [Fact]
    public void The_functions_environment_of_a_large_configuration_fits_Lambdas_4_KB()
    {
        string[] regions = ["us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
        string[] accounts = ["222222222222", "444444444444", "555555555555"];
        var others = accounts.SelectMany(a => new[] { $"{a}:us-west-2", $"{a}:eu-west-1" }).ToList();
        string[] partitions = ["333333333333:cn-north-1", "us-gov-west-1"];
        static string Key(string region, string account) => $"arn:aws:kms:{region}:{account}:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        var keys = regions.Select(r => $"{r}={Key(r, IntrinsicEvaluator.AccountId)}")
            .Concat(others.Select(d => $"{d}={Key(d.Split(':')[1], d.Split(':')[0])}"));
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "team-a/*,team-b/*,team-c/*,platform/*,base/*,tools/*,data/*,ml/*,!sandbox/*,!tmp/*",
            ["DestinationRegions"] = string.Join(',', regions),
            ["OtherAccountDestinations"] = string.Join(',', others),
            ["DestinationRoleArns"] = string.Join(',', accounts.Select(a => $"{a}=arn:aws:iam::{a}:role/platform/ecr-replicator-writer")),
            ["DestinationExternalId"] = "6f1c2a9e-4b7d-4e2a-9c1f-3d5e7a9b1c2d",
            ["OtherPartitionDestinations"] = string.Join(',', partitions),
            ["DestinationCredentials"] = string.Join(',', partitions.Select(d => $"{d}=ssm:/ecr-replicator/{d.Split(':')[^1]}")),
            ["RepositoryMapping"] = "team-a/=mirror/team-a/,team-b/=mirror/team-b/,=backup/",
            ["TagFilter"] = @"release-.*|sha256-[0-9a-f]{64}\.(sig|att|sbom)",
            ["DestinationKmsKeys"] = string.Join(',', keys),
            ["ReplicatedEventBus"] = "arn:aws:events:us-east-1:123456789012:event-bus/replicated-images",
            ["MetricsNamespace"] = "EcrReplicator/platform",
            ["AlarmEmail"] = "",
        });
        Assert.Empty(stack.Evaluator.FailedAssertions(StackTemplate.Raw));

        // Without escaping beyond JSON's own (the default encoder writes '+' as \u002B), references as in Minified.
        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        var environment = Reference().Replace(variables.ToJsonString(AsWritten), new string('a', 100));

        // The same configuration's inline policies, its RolePolicy resources included (6,928 characters when written).
        Assert.True(InlinePolicyCharacters(stack) < InlinePolicyQuota, $"the role's inline policies take {InlinePolicyCharacters(stack)} characters");
        Assert.Contains("RECONCILE_CURSOR_PARAMETER", environment, StringComparison.Ordinal);
        Assert.True(Encoding.UTF8.GetByteCount(environment) < EnvironmentQuota, $"the environment takes {Encoding.UTF8.GetByteCount(environment)} bytes: {environment}");
    }

    /// <summary>
    /// 1,024 characters (the parameter's MaxLength) in 10 rules (its most), one of them with an empty source prefix and
    /// the longest destination prefix it admits (64), which the write policy repeats in each of its 20 pattern entries.
    /// </summary>
    private static string LongestMapping()
    {
        var rules = new List<string> { "=" + new string('b', 64) };
        rules.AddRange(Enumerable.Range(0, 9).Select(i => $"s{i}/=" + new string('d', 100)));
        var mapping = string.Join(',', rules);
        mapping += new string('d', 1024 - mapping.Length);
        Assert.Equal(1024, mapping.Length);
        Assert.Equal((int)StackTemplate.Raw["Parameters"]!["RepositoryMapping"]!["MaxLength"]!, mapping.Length);
        Assert.Equal(10, Replicator.Core.Replication.RepositoryMapping.Parse(mapping).Rules.Count);
        return mapping;
    }

    /// <summary>Policy JSON without whitespace, symbolic references replaced by ARNs of a realistic length.</summary>
    internal static string Minified(JsonNode document) =>
        Reference().Replace(document.ToJsonString(), new string('a', 100));

    [GeneratedRegex(@"\{(?:Ref|GetAtt):[^}]+\}")]
    private static partial Regex Reference();
}
