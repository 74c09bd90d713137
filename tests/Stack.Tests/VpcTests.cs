using System.Text.RegularExpressions;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// The function in a VPC (SubnetIds, SecurityGroupIds): the VpcConfig Lambda gets, the network-interface permissions
/// Lambda checks on the role when it creates or updates the function, and the rules that refuse a half-given VPC
/// before any change. docs/deploy.md, "Running in a VPC".
/// </summary>
public sealed class VpcTests
{
    private static readonly DeployedTemplate InVpc = Samples.Options;

    private static readonly DeployedTemplate OutsideVpc = Samples.WithDeletes;

    private static bool Admits(string parameter, string value) =>
        Regex.IsMatch(value, (string)StackTemplate.Raw["Parameters"]![parameter]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static IntrinsicEvaluator Evaluator(string subnets, string securityGroups) =>
        new(StackTemplate.Raw, new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["SubnetIds"] = subnets,
            ["SecurityGroupIds"] = securityGroups,
        });

    [Fact]
    public void Without_subnets_the_function_has_no_vpc_config_and_its_role_no_ec2_action()
    {
        Assert.Null(OutsideVpc.Properties("ReplicatorFunction")["VpcConfig"]);
        Assert.DoesNotContain(RolePolicies.Statements(OutsideVpc).SelectMany(s => s.Actions), a => a.StartsWith("ec2:", StringComparison.Ordinal));
        Assert.Equal("", (string)StackTemplate.Raw["Parameters"]!["SubnetIds"]!["Default"]!);
        Assert.Equal("", (string)StackTemplate.Raw["Parameters"]!["SecurityGroupIds"]!["Default"]!);
    }

    [Fact]
    public void With_subnets_the_function_runs_in_them_with_the_security_groups_given()
    {
        var vpc = InVpc.Properties("ReplicatorFunction")["VpcConfig"]!;

        Assert.Equal(Samples.VpcSubnets, Samples.Strings(vpc["SubnetIds"]));
        Assert.Equal(Samples.VpcSecurityGroups, Samples.Strings(vpc["SecurityGroupIds"]));
        Assert.Empty(InVpc.Evaluator.FailedAssertions(StackTemplate.Raw));
    }

    [Fact]
    public void In_a_vpc_the_role_may_manage_network_interfaces_and_describes_alone_are_on_every_resource()
    {
        // The actions of the managed AWSLambdaVPCAccessExecutionRole but its log grants, which Lambda checks on the
        // role when it creates or updates a function with a VpcConfig.
        var statements = RolePolicies.Statements(InVpc).Where(s => s.Policy == "vpc").ToList();
        Assert.Equal(
            ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"],
            statements.SelectMany(s => s.Actions).Order(StringComparer.Ordinal));
        Assert.All(statements, s => Assert.Equal("Allow", s.Effect));

        // IAM has no resource-level permission for the two Describe actions; every change is narrowed to EC2 in this
        // region, network interfaces of this account.
        var everywhere = statements.Where(s => s.Resources.Contains("*")).ToList();
        Assert.Equal(["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"], everywhere.SelectMany(s => s.Actions).Order(StringComparer.Ordinal));
        Assert.All(everywhere, s => Assert.Equal(["*"], s.Resources));
        var changes = Assert.Single(statements, s => !s.Resources.Contains("*"));
        var region = IntrinsicEvaluator.Region;
        Assert.Equal(
            [$"arn:aws:ec2:{region}:{IntrinsicEvaluator.AccountId}:network-interface/*", $"arn:aws:ec2:{region}:*:subnet/*", $"arn:aws:ec2:{region}:*:security-group/*"],
            changes.Resources);
        Assert.True(RoleCarriesVpcPolicyInline(InVpc), "the vpc policy must be inline in the role, so the function is created after it");

        // Beside it, the promise of IamTests holds: no other statement allows on "*".
        Assert.All(RolePolicies.Statements(InVpc).Where(s => s.Policy != "vpc" && s.Effect == "Allow").SelectMany(s => s.Resources), r => Assert.NotEqual("*", r));
    }

    [Fact]
    public void The_deploy_guide_states_the_size_of_the_vpc_policy()
    {
        var policy = InVpc.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray().Single(p => (string)p!["PolicyName"]! == "vpc")!;
        var size = "vpc".Length + ScaleTests.Minified(policy["PolicyDocument"]!).Length;

        Assert.Contains($"whose `vpc` policy takes {size} characters", File.ReadAllText(RepositoryRoot.File("docs", "deploy.md")), StringComparison.Ordinal);
    }

    /// <summary>
    /// Lambda deletes the function's network interfaces with the function's role ("the Lambda service uses the execution
    /// role of the functions that created the network interfaces", https://repost.aws/knowledge-center/lambda-eni-find-delete).
    /// On stack delete the role goes after the function, whose deletion waits for the interfaces. But the update that
    /// empties SubnetIds and SecurityGroupIds also drops the role's inline "vpc" policy, and CloudFormation updates the role
    /// before the function (its Role is the role's Arn): Lambda is then refused the deletes
    /// (https://github.com/aws/aws-cdk/issues/34400) and the interfaces stay, holding addresses in the subnets and keeping
    /// the security groups from deletion. The deploy guide must say so and how to delete them, not that Lambda releases them.
    /// </summary>
    [Fact]
    public void The_deploy_guide_says_leaving_the_vpc_leaves_the_network_interfaces_to_delete()
    {
        // The premise: the grant leaves with the VpcConfig, in the role the function is updated after.
        Assert.DoesNotContain(RolePolicies.Statements(OutsideVpc), s => s.Policy == "vpc");
        var role = InVpc.Transformed["Resources"]!["ReplicatorFunction"]!["Properties"]!["Role"]!;
        Assert.Equal("ReplicatorFunctionRole", (string)role["Fn::GetAtt"]![0]!);

        var guide = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var section = guide[guide.IndexOf("### Running in a VPC", StringComparison.Ordinal)..guide.IndexOf("### Limits of the stack", StringComparison.Ordinal)];
        Assert.DoesNotContain("or leaves the VPC", section, StringComparison.Ordinal);
        Assert.Contains("Leaving the VPC", section, StringComparison.Ordinal);
        Assert.Contains("Name=interface-type,Values=lambda", section, StringComparison.Ordinal);
        Assert.Contains("aws ec2 delete-network-interface", section, StringComparison.Ordinal);
        Assert.Contains("AWSLambdaVPCAccessExecutionRole", section[section.IndexOf("Leaving the VPC", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "", true)]
    [InlineData("subnet-0123456789abcdef0", "sg-0123456789abcdef0", true)]
    [InlineData("subnet-0123456789abcdef0,subnet-89abcdef", "sg-0123456789abcdef0,sg-89abcdef", true)]
    [InlineData("subnet-0123456789abcdef0", "", false)] // Lambda: "SubnetIds and SecurityIds must coexist"
    [InlineData("", "sg-0123456789abcdef0", false)]
    [InlineData("subnet-0123456789abcdef0,", "sg-0123456789abcdef0", false)] // a stray comma
    [InlineData("subnet-0123456789abcdef0", "sg-0123456789abcdef0,,sg-89abcdef", false)]
    public void The_rules_take_both_lists_or_neither_without_empty_entries(string subnets, string securityGroups, bool deploys)
    {
        var failed = Evaluator(subnets, securityGroups).FailedAssertions(StackTemplate.Raw);

        Assert.Equal(deploys, failed.Count == 0);
        if (!deploys)
        {
            Assert.All(failed, f => Assert.Matches("SubnetIds|SecurityGroupIds", f));
        }
    }

    [Theory]
    [InlineData("SubnetIds", "subnet-0123456789abcdef0", true)]
    [InlineData("SubnetIds", "subnet-89abcdef", true)]
    [InlineData("SubnetIds", "", true)]
    [InlineData("SubnetIds", "subnet-89abcde", false)]
    [InlineData("SubnetIds", "subnet-0123456789ABCDEF0", false)]
    [InlineData("SubnetIds", "sg-0123456789abcdef0", false)] // a security group in the subnets' place
    [InlineData("SubnetIds", " subnet-89abcdef", false)]
    [InlineData("SubnetIds", "subnet-89ABCDEF", false)] // capitals in the first eight digits as well
    [InlineData("SubnetIds", "subnet-0123456789abcdef0123456789", false)] // 26 digits: 8 and then 9 twice
    [InlineData("SecurityGroupIds", "sg-0123456789abcdef0", true)]
    [InlineData("SecurityGroupIds", "sg-89abcdef", true)]
    [InlineData("SecurityGroupIds", "subnet-89abcdef", false)]
    [InlineData("SecurityGroupIds", "default", false)] // a group's name, which VpcConfig does not take
    [InlineData("SecurityGroupIds", "", true)]
    [InlineData("SecurityGroupIds", "sg-0123456789ABCDEF0", false)]
    [InlineData("SecurityGroupIds", "sg-89ABCDEF", false)]
    [InlineData("SecurityGroupIds", "sg-89abcdef0", false)] // neither 8 nor 17 digits
    [InlineData("SecurityGroupIds", "sg-0123456789abcdef0 ", false)]
    public void Each_entry_is_an_ec2_id_of_its_kind(string parameter, string entry, bool admitted) =>
        Assert.Equal(admitted, Admits(parameter, entry));

    /// <summary>
    /// The function calls each AWS service its role grants actions of, but for the two it never calls itself: CloudWatch
    /// Logs (Lambda sends the function's output) and EC2 (Lambda manages the network interfaces). KMS is granted only
    /// through ECR or SSM (kms:ViaService), which call it. So a grant of a new service without its VPC endpoint in the deploy
    /// guide fails here, before a function in a VPC times out on it.
    /// </summary>
    [Fact]
    public void The_deploy_guide_names_a_vpc_endpoint_for_every_service_the_role_calls()
    {
        var statements = Samples.EveryBranch().SelectMany(s => RolePolicies.Statements(s.Stack)).Where(s => s.Effect == "Allow").ToList();
        var services = statements.SelectMany(s => s.Actions).Select(a => a[..a.IndexOf(':', StringComparison.Ordinal)]).ToHashSet(StringComparer.Ordinal);
        Assert.All(statements.Where(s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal))), s => Assert.NotEmpty(s.ConditionValues("StringEquals", "kms:ViaService")));
        services.ExceptWith(["logs", "ec2", "kms"]);
        Assert.Superset(new HashSet<string>(["ecr", "sqs", "sts", "ssm", "events"]), services);

        var guide = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var section = guide[guide.IndexOf("### Running in a VPC", StringComparison.Ordinal)..guide.IndexOf("### Limits of the stack", StringComparison.Ordinal)];
        Assert.All(services, service => Assert.Contains($"`com.amazonaws.REGION.{(service == "ecr" ? "ecr.api" : service)}`", section, StringComparison.Ordinal));
        // Layer downloads go to S3 through presigned URLs, without an s3: grant.
        Assert.Contains("gateway `com.amazonaws.REGION.s3`", section, StringComparison.Ordinal);
    }

    private static bool RoleCarriesVpcPolicyInline(DeployedTemplate stack) =>
        stack.Properties("ReplicatorFunctionRole")["Policies"]!.AsArray().Any(p => (string)p!["PolicyName"]! == "vpc")
        && !stack.OfType("AWS::IAM::RolePolicy").Any(p => p.Value.ToJsonString().Contains("ec2:", StringComparison.Ordinal));
}
