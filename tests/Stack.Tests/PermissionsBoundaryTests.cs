using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// PermissionsBoundaryArn, for organisations whose SCPs refuse a role without a boundary: every role either template
/// creates carries it when it is given, and none has the property when it is empty (so a stack deployed before the
/// parameter is unchanged). docs/deploy.md, "Permissions boundary".
/// </summary>
public sealed class PermissionsBoundaryTests
{
    /// <summary>
    /// Every role template.yaml creates, after SAM (the function names ReplicatorFunctionRole, so SAM generates none).
    /// A role added to the template fails the tests below until it is listed here, and it is listed with the boundary.
    /// </summary>
    private static readonly string[] StackRoles = ["IntakePipeRole", "ReplicatorFunctionRole"];

    private static readonly string[] DestinationRoles = ["DestinationRole"];

    /// <summary>
    /// The PermissionsBoundary of every AWS::IAM::Role of the transformed template, those a false condition leaves out
    /// too, as the sample's values resolve it (null: the property is absent).
    /// </summary>
    private static Dictionary<string, string?> Boundaries(DeployedTemplate stack) =>
        stack.Transformed["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == "AWS::IAM::Role")
            .ToDictionary(
                r => r.Key,
                r => (string?)stack.Evaluator.Evaluate(r.Value!["Properties"])!["PermissionsBoundary"],
                StringComparer.Ordinal);

    private static Dictionary<string, string?> DestinationBoundaries(string permissionsBoundaryArn)
    {
        var template = StackTemplate.RawDestinationRole;
        // No transform: the template as written is the template deployed.
        Assert.Null(template["Transform"]);
        var evaluator = DestinationRole.Evaluator(permissionsBoundaryArn: permissionsBoundaryArn);
        return template["Resources"]!.AsObject()
            .Where(r => (string?)r.Value!["Type"] == "AWS::IAM::Role")
            .ToDictionary(
                r => r.Key,
                r => (string?)evaluator.Evaluate(r.Value!["Properties"])!["PermissionsBoundary"],
                StringComparer.Ordinal);
    }

    private static bool Admits(JsonObject template, string value) =>
        Regex.IsMatch(value, (string)template["Parameters"]!["PermissionsBoundaryArn"]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Fact]
    public void Given_a_boundary_every_role_of_the_stack_carries_it()
    {
        var boundaries = Boundaries(Samples.Options);

        Assert.Equal(StackRoles, boundaries.Keys.Order(StringComparer.Ordinal));
        Assert.All(boundaries, role => Assert.True(role.Value == Samples.PermissionsBoundaryArn, $"{role.Key}: PermissionsBoundary {role.Value ?? "absent"}"));
    }

    [Theory]
    [InlineData("with-deletes")]
    [InlineData("push-only")]
    [InlineData("other-destinations")]
    [InlineData("only-other-destinations")]
    public void Without_a_boundary_no_role_of_the_stack_has_the_property(string sample)
    {
        // Absent, not empty: IAM refuses an empty boundary, and a stack deployed before the parameter keeps its roles.
        var boundaries = Boundaries(Samples.EveryBranch().Single(s => s.Name == sample).Stack);

        Assert.Equal(StackRoles, boundaries.Keys.Order(StringComparer.Ordinal));
        Assert.All(boundaries, role => Assert.True(role.Value is null, $"{role.Key}: PermissionsBoundary {role.Value}"));
    }

    [Theory]
    [InlineData("arn:aws:iam::222222222222:policy/boundaries/ReplicatorBoundary")]
    [InlineData("")]
    public void The_destination_role_carries_the_boundary_only_when_one_is_given(string permissionsBoundaryArn)
    {
        var boundaries = DestinationBoundaries(permissionsBoundaryArn);

        Assert.Equal(DestinationRoles, boundaries.Keys.Order(StringComparer.Ordinal));
        Assert.All(boundaries, role => Assert.True(
            role.Value == (permissionsBoundaryArn.Length == 0 ? null : permissionsBoundaryArn),
            $"{role.Key}: PermissionsBoundary {role.Value ?? "absent"}"));
    }

    [Fact]
    public void Both_templates_take_the_same_parameter_empty_by_default()
    {
        var stack = StackTemplate.Raw["Parameters"]!["PermissionsBoundaryArn"]!;
        var destination = StackTemplate.RawDestinationRole["Parameters"]!["PermissionsBoundaryArn"]!;

        Assert.Equal("String", (string?)stack["Type"]);
        Assert.Equal("", (string?)stack["Default"]);
        // The descriptions name each template's roles; what decides a value is the same in both.
        Assert.All(new[] { "Type", "Default", "AllowedPattern", "MaxLength" }, key =>
            Assert.True(JsonNode.DeepEquals(stack[key], destination[key]), $"{key} differs between the two templates"));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("arn:aws:iam::123456789012:policy/ReplicatorBoundary", true)]
    [InlineData("arn:aws:iam::123456789012:policy/boundaries/team-a/Replicator.v2_x+=,@-", true)]
    [InlineData("arn:aws:iam::aws:policy/PowerUserAccess", true)] // an AWS managed policy: account "aws"
    [InlineData("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", true)]
    [InlineData("arn:aws-cn:iam::123456789012:policy/Boundary", true)]
    [InlineData("arn:aws-us-gov:iam::123456789012:policy/Boundary", true)]
    [InlineData("arn:aws-iso:iam::123456789012:policy/Boundary", true)]
    [InlineData("arn:aws-iso-b:iam::123456789012:policy/Boundary", true)]
    [InlineData("arn:aws-iso-f:iam::123456789012:policy/Boundary", true)]
    [InlineData("arn:aws-eusc:iam::123456789012:policy/Boundary", true)]
    [InlineData("Boundary", false)] // a name: IAM takes the ARN
    [InlineData("arn:aws:iam::123456789012:role/Boundary", false)]
    [InlineData("arn:aws:iam::123456789012:user/Boundary", false)]
    [InlineData("arn:aws:organizations::123456789012:policy/o-abc/service_control_policy/p-abc", false)] // an SCP
    [InlineData("arn:aws:iam::12345678901:policy/Boundary", false)]
    [InlineData("arn:aws:iam::AWS:policy/PowerUserAccess", false)]
    [InlineData("arn:aws:iam:us-east-1:123456789012:policy/Boundary", false)] // IAM is global: no region
    [InlineData("arn:AWS:iam::123456789012:policy/Boundary", false)]
    [InlineData("arn:awsx:iam::123456789012:policy/Boundary", false)]
    [InlineData("arn:aws-:iam::123456789012:policy/Boundary", false)]
    [InlineData("arn:aws:iam::123456789012:policy/", false)]
    [InlineData("arn:aws:iam::123456789012:policy/boundaries/", false)] // a path, no name
    [InlineData("arn:aws:iam::123456789012:policy//Boundary", false)] // an empty path segment
    [InlineData("arn:aws:iam::123456789012:policy/team~a/Boundary", false)] // '~' is in no policy path
    [InlineData("arn:aws:iam::123456789012:policy/Boundary ", false)]
    [InlineData(" arn:aws:iam::123456789012:policy/Boundary", false)]
    [InlineData("arn:aws:iam::123456789012:policy/A,arn:aws:iam::123456789012:policy/B", false)] // one boundary a role
    public void The_boundary_is_an_iam_managed_policy_arn_in_any_partition(string value, bool admitted)
    {
        Assert.Equal(admitted, Admits(StackTemplate.Raw, value));
        Assert.Equal(admitted, Admits(StackTemplate.RawDestinationRole, value));
    }

    [Theory]
    [InlineData(128, true)]
    [InlineData(129, false)]
    public void A_policy_name_is_at_most_128_characters(int length, bool admitted)
    {
        var value = "arn:aws:iam::123456789012:policy/boundaries/" + new string('b', length);

        Assert.Equal(admitted, Admits(StackTemplate.Raw, value));
        Assert.Equal(admitted, Admits(StackTemplate.RawDestinationRole, value));
    }

    /// <summary>
    /// CloudFormation checks a value's MaxLength as well as its AllowedPattern, so the longest ARN of a managed policy
    /// IAM can create must fit both: a path of 512 characters, slashes included, and a name of 128 (botocore's IAM
    /// model, data/iam/2010-05-08/service-2.json: policyPathType max 512, policyNameType max 128; a policy ARN is an
    /// arnType, max 2048), in the longest partition id.
    /// </summary>
    [Fact]
    public void The_longest_policy_arn_iam_can_give_fits_both_templates()
    {
        var value = "arn:aws-us-gov:iam::123456789012:policy/" + new string('p', 510) + "/" + new string('b', 128);

        Assert.Equal(679, value.Length);
        foreach (var template in new[] { StackTemplate.Raw, StackTemplate.RawDestinationRole })
        {
            Assert.True(Admits(template, value));
            Assert.True(value.Length <= (int)template["Parameters"]!["PermissionsBoundaryArn"]!["MaxLength"]!, "MaxLength refuses the longest policy ARN");
        }
    }

    [Fact]
    public void The_destination_role_passes_cfn_lint_with_a_boundary()
    {
        // template.yaml with a boundary is linted as deployed by CfnLintTests (Samples.Options sets one).
        var result = DestinationRole.Lint(new Dictionary<string, string>
        {
            ["PermissionsBoundaryArn"] = "arn:aws-us-gov:iam::222222222222:policy/boundaries/ReplicatorBoundary",
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-gov-west-1",
            ["ReplicatorRoleArn"] = "arn:aws-us-gov:iam::111111111111:role/replicator",
        });

        Assert.True(result.ExitCode == 0, "cfn-lint reported problems: " + result.Describe());
    }
}
