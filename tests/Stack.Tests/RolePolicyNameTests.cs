using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// The names of the inline policies the stack puts on the function's role, one per entry of a list parameter
/// (Fn::ForEach). A stack update replaces such a policy when its entry changes: CloudFormation creates the resource of
/// the new logical id (PutRolePolicy, which overwrites an inline policy of the same name on the role) and afterwards
/// deletes the old one (DeleteRolePolicy by name). So two entries may share a policy name only if they share the
/// logical id too; otherwise the update ends without the grant it just wrote.
/// </summary>
public sealed partial class RolePolicyNameTests
{
    /// <summary>IAM API reference, PutRolePolicy: PolicyName is 1..128 characters of [\w+=,.@-].</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{1,128}$")]
    private static partial Regex IamPolicyName();

    /// <summary>
    /// The longest entries the parameters admit, for the account and destination of <see cref="Samples.OtherDestinations"/>'s
    /// entries, with another role and another parameter: the entry of that account and destination changed.
    /// </summary>
    private const string LongestRoleArn = "444444444444=arn:aws:iam::444444444444:role/platform/replication/ecr-writer-for-every-team-of-the-platform-in-every-region-v20261";

    private const string LongestCredentials = "333333333333:cn-north-1=ssm:/replicator/credentials/china/ecr-writer-for-every-team-of-the-platform-rotated-2";

    private static readonly Lazy<DeployedTemplate> LongestLazy = new(() => StackTemplate.Expand(new Dictionary<string, string>
    {
        ["RepositoryFilter"] = "team/*",
        ["DestinationRegions"] = "us-west-2",
        ["OtherAccountDestinations"] = "222222222222:us-west-2,222222222222:eu-west-1,444444444444:us-west-2",
        ["OtherPartitionDestinations"] = "333333333333:cn-north-1,us-gov-west-1",
        ["DestinationCredentials"] = LongestCredentials + ",us-gov-west-1=ssm:/replicator/gov",
        ["DestinationRoleArns"] = LongestRoleArn,
        ["AlarmEmail"] = "",
    }));

    private static DeployedTemplate Longest => LongestLazy.Value;

    private static Dictionary<string, string> PolicyNames(DeployedTemplate stack) =>
        stack.OfType("AWS::IAM::RolePolicy").ToDictionary(p => p.Key, p => (string)p.Value["Properties"]!["PolicyName"]!, StringComparer.Ordinal);

    [Fact]
    public void The_longest_entries_the_parameters_admit_name_a_policy_of_at_most_128_characters()
    {
        Assert.True(Admits("DestinationRoleArns", LongestRoleArn));
        Assert.True(Admits("DestinationCredentials", LongestCredentials));
        // One character more is refused before anything changes, not by IAM halfway through the update.
        Assert.False(Admits("DestinationRoleArns", LongestRoleArn + "x"));
        Assert.False(Admits("DestinationCredentials", LongestCredentials + "x"));

        var names = PolicyNames(Longest);

        Assert.Equal(
            ["assume-named-destination-role-444444444444=platform.replication.ecr-writer-for-every-team-of-the-platform-in-every-region-v20261",
             "destination-credentials-333333333333-cn-north-1=replicator.credentials.china.ecr-writer-for-every-team-of-the-platform-rotated-2"],
            names.Values.Where(n => n.Length == 128).Order(StringComparer.Ordinal));
        Assert.All(names.Values, n => Assert.Matches(IamPolicyName(), n));
        Assert.Empty(Longest.Evaluator.FailedAssertions(StackTemplate.Raw));
    }

    [Fact]
    public void Every_policy_name_of_every_sample_is_an_IAM_policy_name()
    {
        var names = Samples.EveryBranch().SelectMany(b => PolicyNames(b.Stack).Values).ToList();

        Assert.Contains("assume-named-destination-role-444444444444=platform.ecr-writer", names);
        Assert.Contains("destination-credentials-333333333333-cn-north-1=replicator.cn", names);
        Assert.Contains("destination-credentials-us-gov-west-1=replicator.gov", names);
        Assert.All(names, n => Assert.Matches(IamPolicyName(), n));
    }

    [Fact]
    public void A_changed_role_or_credentials_parameter_of_a_destination_gets_another_policy_name()
    {
        var before = PolicyNames(Samples.OtherDestinations);
        var after = PolicyNames(Longest);

        // The same account and destination, another role and another parameter: new logical ids, so new names.
        Assert.NotEqual(Single(before, "AssumeNamedDestinationRole444444444444"), Single(after, "AssumeNamedDestinationRole444444444444"));
        Assert.NotEqual(Single(before, "ReadDestinationCredentials333333333333cnnorth1"), Single(after, "ReadDestinationCredentials333333333333cnnorth1"));

        // In general: a name both stacks use belongs to one logical id in both, so the update never deletes a name it
        // has just written. The unchanged entries keep theirs.
        var shared = before.Where(b => after.ContainsValue(b.Value)).ToList();
        Assert.All(shared, b => Assert.Equal(b.Value, after.GetValueOrDefault(b.Key)));
        Assert.Contains(shared, b => b.Key == "ReadDestinationCredentialsusgovwest1ssmreplicatorgov");
        Assert.Contains(shared, b => b.Key == "AssumeDestinationRole444444444444uswest2");
    }

    [Fact]
    public void No_two_policies_of_one_role_share_a_name_in_any_sample()
    {
        foreach (var (name, stack) in Samples.EveryBranch().Append(("longest", Longest)))
        {
            // The role's own inline policies (Policies), and each AWS::IAM::RolePolicy by the role it names.
            var own = stack.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray().Select(p => ("{Ref:ReplicatorFunctionRole}", (string)p!["PolicyName"]!));
            var separate = stack.OfType("AWS::IAM::RolePolicy").Select(p => ((string)p.Value["Properties"]!["RoleName"]!, (string)p.Value["Properties"]!["PolicyName"]!));
            var all = own.Concat(separate).ToList();

            Assert.True(all.Count > 1, name);
            Assert.True(all.Distinct().Count() == all.Count, $"{name}: " + string.Join(", ", all.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key.Item2)));
        }
    }

    private static string Single(Dictionary<string, string> names, string logicalIdPrefix) =>
        Assert.Single(names, n => n.Key.StartsWith(logicalIdPrefix, StringComparison.Ordinal)).Value;

    private static bool Admits(string parameter, string entry) =>
        Regex.IsMatch(entry, (string)StackTemplate.Raw["Parameters"]![parameter]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}
