using System.Text.RegularExpressions;
using Replicator.Core.Destinations;
using Replicator.Core.Replication;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// destination-role.yaml's RolePath, for organisations whose SCPs allow iam:CreateRole only under a path: the role is
/// created on that path, the parameter takes exactly IAM's paths, and the role it creates is the one the replicator's
/// stack grants and its function assumes, whose DestinationRoleName then carries the path (PATH/NAME).
/// docs/deploy.md, "Another account".
/// </summary>
public sealed class RolePathTests
{
    private const string Other = "222222222222";

    private const string Overridden = "444444444444";

    /// <summary>
    /// IAM's own rule for a path, the evidence the template's pattern is checked against: botocore's IAM model
    /// (botocore 1.43.11, botocore/data/iam/2010-05-08/service-2.json, shape pathType, CreateRole's Path):
    /// pattern <c>(\u002F)|(\u002F[\u0021-\u007E]+\u002F)</c>, min 1, max 512. The model's pattern is not anchored, and
    /// the API reference says what it means for the whole value: "/" alone, or a string that begins and ends with "/"
    /// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html, Path), so it is anchored here.
    /// </summary>
    private static bool IamAcceptsPath(string path) =>
        path.Length is >= 1 and <= 512
        && Regex.IsMatch(path, @"\A(?:(\u002F)|(\u002F[\u0021-\u007E]+\u002F))\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The ARN IAM gives a role: arn:PARTITION:iam::ACCOUNT:role then its path (with both slashes) then its name
    /// ("IAM ARNs", https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
    /// </summary>
    private static string IamRoleArn(string account, string path, string name) => $"arn:aws:iam::{account}:role{path}{name}";

    private static IntrinsicEvaluator Destination(string rolePath, string roleName = "ecr-replicator-destination") =>
        new(StackTemplate.RawDestinationRole, new Dictionary<string, string>
        {
            ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2",
            ["RolePath"] = rolePath,
            ["RoleName"] = roleName,
        });

    private static string Output(IntrinsicEvaluator evaluator, string name) =>
        (string)evaluator.Evaluate(StackTemplate.RawDestinationRole["Outputs"]![name]!["Value"])!;

    private static bool StackAdmitsRoleName(string value) =>
        Regex.IsMatch(value, (string)StackTemplate.Raw["Parameters"]!["DestinationRoleName"]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("/")]
    [InlineData("/service-roles/")]
    [InlineData("/org/platform/ecr/")]
    public void The_destination_role_is_created_on_the_given_path(string rolePath)
    {
        var role = DestinationRole.Role(Destination(rolePath, "writer"));

        Assert.Equal(rolePath, (string?)role["Path"]);
        Assert.Equal("writer", (string?)role["RoleName"]);
    }

    /// <summary>
    /// "/" by default: a stack deployed before the parameter keeps its role where it was (a new path replaces the
    /// role), and RoleName keeps its name and default, which are a contract with the replicator's DestinationRoleName.
    /// </summary>
    [Fact]
    public void By_default_the_role_is_on_the_root_path_with_its_name_unchanged()
    {
        var parameters = StackTemplate.RawDestinationRole["Parameters"]!;

        Assert.Equal("String", (string?)parameters["RolePath"]!["Type"]);
        Assert.Equal("/", (string?)parameters["RolePath"]!["Default"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)parameters["RolePath"]!["ConstraintDescription"]));
        Assert.Equal("ecr-replicator-destination", (string?)parameters["RoleName"]!["Default"]);
        Assert.Equal("ecr-replicator-destination", (string?)StackTemplate.Raw["Parameters"]!["DestinationRoleName"]!["Default"]);
        Assert.Equal("/", (string?)DestinationRole.Role(DestinationRole.Evaluator())["Path"]);
    }

    [Theory]
    [InlineData("/", true)]
    [InlineData("/service-roles/", true)]
    [InlineData("/org/platform/ecr/", true)]
    [InlineData("/!team~/", true)] // the first and last characters of IAM's range
    [InlineData("/a*b?c/", true)] // IAM allows them in a path (only a policy would read them as wildcards)
    [InlineData("///", true)] // "/" + "/" + "/": what IAM's pattern admits, however odd
    [InlineData("", false)]
    [InlineData("service-roles", false)]
    [InlineData("service-roles/", false)] // no leading slash
    [InlineData("/service-roles", false)] // no trailing slash
    [InlineData("//", false)] // nothing between the two slashes
    [InlineData("/service roles/", false)] // U+0020 is below the range
    [InlineData("/team\u007F/", false)] // DEL is above it
    [InlineData("/équipe/", false)]
    [InlineData(" /service-roles/", false)]
    [InlineData("/service-roles/ ", false)]
    public void RolePath_admits_exactly_the_paths_iam_accepts(string path, bool accepted)
    {
        Assert.Equal(accepted, IamAcceptsPath(path));
        Assert.Equal(accepted, DestinationRole.Admits("RolePath", path));
    }

    /// <summary>Every character of ASCII and just beyond, between two slashes: admitted exactly when IAM's range holds it.</summary>
    [Fact]
    public void RolePath_takes_each_character_iam_takes_and_no_other()
    {
        var disagreements = Enumerable.Range(0, 0x100)
            .Select(c => $"/x{(char)c}y/")
            .Where(path => IamAcceptsPath(path) != DestinationRole.Admits("RolePath", path))
            .Select(path => $"U+{(int)path[2]:X4}")
            .ToList();

        Assert.Empty(disagreements);
        Assert.True(DestinationRole.Admits("RolePath", "/x!y/"));
        Assert.False(DestinationRole.Admits("RolePath", "/x y/"));
    }

    /// <summary>IAM's path is 1 to 512 characters, both slashes included (botocore pathType, max 512).</summary>
    [Theory]
    [InlineData(510, true)]
    [InlineData(511, false)]
    public void RolePath_is_at_most_512_characters(int inner, bool accepted)
    {
        var path = "/" + new string('p', inner) + "/";

        Assert.Equal(accepted, IamAcceptsPath(path));
        Assert.Equal(accepted, DestinationRole.Admits("RolePath", path));
    }

    /// <summary>
    /// The output RoleArn is the role's own ARN (Fn::GetAtt Arn, path included), not one built from RoleName, which
    /// for a role under a path would name another role; the output DestinationRoleName is what follows ":role/" in it.
    /// </summary>
    [Theory]
    [InlineData("/", "writer", "writer")]
    [InlineData("/service-roles/", "writer", "service-roles/writer")]
    [InlineData("/org/platform/", "ecr-replicator-destination", "org/platform/ecr-replicator-destination")]
    public void The_outputs_give_the_roles_full_arn_and_the_replicators_DestinationRoleName(string rolePath, string roleName, string destinationRoleName)
    {
        var evaluator = Destination(rolePath, roleName);

        Assert.Equal("{GetAtt:DestinationRole.Arn}", Output(evaluator, "RoleArn"));
        Assert.Equal(destinationRoleName, Output(evaluator, "DestinationRoleName"));
        Assert.Equal(IamRoleArn(Other, rolePath, roleName), $"arn:aws:iam::{Other}:role/{destinationRoleName}");
    }

    /// <summary>
    /// End to end: the role destination-role.yaml creates on a path, its DestinationRoleName output given to the
    /// replicator's stack, is the role that stack grants sts:AssumeRole on (a Resource of role/NAME would not match
    /// role/PATH/NAME) and the role the function assumes with the stack's DESTINATION_ROLE_NAME.
    /// </summary>
    [Theory]
    [InlineData("/", "ecr-replicator-destination")]
    [InlineData("/service-roles/", "ecr-replicator-destination")]
    [InlineData("/org/platform/", "writer")]
    public void The_stack_grants_and_the_function_assumes_the_role_created_on_the_path(string rolePath, string roleName)
    {
        var created = IamRoleArn(Other, rolePath, roleName);
        var destinationRoleName = Output(Destination(rolePath, roleName), "DestinationRoleName");
        Assert.True(StackAdmitsRoleName(destinationRoleName), $"DestinationRoleName refuses {destinationRoleName}");

        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["OtherAccountDestinations"] = $"{Other}:us-west-2,{Other}:eu-west-1",
            ["DestinationRoleName"] = destinationRoleName,
        });
        Assert.Empty(stack.Evaluator.FailedAssertions(StackTemplate.Raw));

        var assume = RolePolicies.Statements(stack).Where(s => s.Actions.Contains("sts:AssumeRole")).ToList();
        Assert.All(assume, s => Assert.Equal("Allow", s.Effect));
        Assert.Equal([created], assume.SelectMany(s => s.Resources).Distinct());
        Assert.All(assume.SelectMany(s => s.Resources), r => Assert.True(Arn.Matches(r, created), $"{r} does not match {created}"));

        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        var access = DestinationAccess.Parse(
            (string)variables[DestinationAccess.RoleNameVariable]!,
            null,
            null,
            null,
            ReplicationDestination.ParseAll(((string)variables[ReplicationDestination.Variable]!).Split(',')),
            IntrinsicEvaluator.Region);
        Assert.Equal(created, access.Route(new ReplicationDestination("us-west-2", Other), IntrinsicEvaluator.AccountId).RoleArn);
        Assert.Equal(created, access.Route(new ReplicationDestination("eu-west-1", Other), IntrinsicEvaluator.AccountId).RoleArn);
    }

    /// <summary>
    /// The name alone does not reach a role on a path: IAM matches the whole ARN, and role/NAME is another role than
    /// role/PATH/NAME. This is why the path is part of DestinationRoleName rather than left to destination-role.yaml.
    /// </summary>
    [Fact]
    public void A_grant_of_the_name_alone_does_not_match_the_role_on_its_path()
    {
        Assert.False(Arn.Matches($"arn:aws:iam::{Other}:role/ecr-replicator-destination", IamRoleArn(Other, "/service-roles/", "ecr-replicator-destination")));
    }

    /// <summary>
    /// In an account DestinationRoleArns overrides, the entry's policy denies DestinationRoleName's role there: with a
    /// path, the role on that path (the one granted), so the function's role may still assume only the named role;
    /// and an entry naming that very role is refused by the function, as at the root path.
    /// </summary>
    [Fact]
    public void An_overridden_account_denies_DestinationRoleNames_role_on_its_path()
    {
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["OtherAccountDestinations"] = $"{Other}:us-west-2,{Overridden}:us-west-2",
            ["DestinationRoleName"] = "service-roles/writer",
            ["DestinationRoleArns"] = $"{Overridden}=arn:aws:iam::{Overridden}:role/platform/ecr-writer",
        });
        var assume = RolePolicies.Statements(stack).Where(s => s.Actions.Contains("sts:AssumeRole")).ToList();
        var allowed = assume.Where(s => s.Effect == "Allow").SelectMany(s => s.Resources).ToHashSet(StringComparer.Ordinal);
        var denied = assume.Where(s => s.Effect == "Deny").SelectMany(s => s.Resources).ToList();

        Assert.Equal([$"arn:aws:iam::{Overridden}:role/service-roles/writer"], denied);
        Assert.Equal(
            [$"arn:aws:iam::{Other}:role/service-roles/writer", $"arn:aws:iam::{Overridden}:role/platform/ecr-writer"],
            allowed.Except(denied).Order(StringComparer.Ordinal));

        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        var destinations = ReplicationDestination.ParseAll(((string)variables[ReplicationDestination.Variable]!).Split(','));
        var access = DestinationAccess.Parse((string)variables[DestinationAccess.RoleNameVariable]!, (string)variables[DestinationAccess.RoleArnsVariable]!, null, null, destinations, IntrinsicEvaluator.Region);
        Assert.Equal(
            allowed.Except(denied).Order(StringComparer.Ordinal),
            destinations.Select(d => access.Route(d, IntrinsicEvaluator.AccountId).RoleArn!).Order(StringComparer.Ordinal));

        var error = Assert.Throws<Replicator.Core.Configuration.SettingException>(() => DestinationAccess.Parse(
            "service-roles/writer", $"{Overridden}=arn:aws:iam::{Overridden}:role/service-roles/writer", null, null, destinations, IntrinsicEvaluator.Region));
        Assert.Equal(DestinationAccess.RoleArnsVariable, error.Setting);
    }

    /// <summary>
    /// DestinationRoleName takes a name, or PATH/NAME as the role's ARN writes it after ":role/". Refused: the path as
    /// IAM writes it (leading slash: role//...), an empty segment, a '*' or '?' (the grant's Resource would be a
    /// wildcard over other roles), and more than 85 characters (the bound docs/deploy.md's entry count holds for).
    /// Whatever the stack admits, the function takes and assumes at the ARN the stack grants.
    /// </summary>
    [Theory]
    [InlineData("ecr-replicator-destination", true)]
    [InlineData("service-roles/ecr-replicator-destination", true)]
    [InlineData("org/platform/ecr/writer", true)]
    [InlineData("a+=,.@_-/w+=,.@_-", true)]
    [InlineData("/service-roles/ecr-replicator-destination", false)]
    [InlineData("service-roles/", false)]
    [InlineData("service-roles//writer", false)]
    [InlineData("*/writer", false)]
    [InlineData("team?/writer", false)]
    [InlineData("service-roles/*", false)]
    [InlineData("team!/writer", false)] // IAM allows '!' in a path; the stack takes a name's characters only
    [InlineData("service roles/writer", false)]
    public void DestinationRoleName_takes_a_name_after_an_optional_path_the_function_assumes_as_granted(string value, bool admitted)
    {
        Assert.Equal(admitted, StackAdmitsRoleName(value));
        if (admitted)
        {
            var other = new ReplicationDestination("us-west-2", Other);
            var access = DestinationAccess.Parse(value, null, null, null, [other], IntrinsicEvaluator.Region);
            Assert.Equal($"arn:aws:iam::{Other}:role/{value}", access.Route(other, IntrinsicEvaluator.AccountId).RoleArn);
        }
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void DestinationRoleNames_name_is_still_at_most_64_characters(int length, bool admitted)
    {
        Assert.Equal(admitted, StackAdmitsRoleName(new string('r', length)));
        Assert.Equal(admitted, StackAdmitsRoleName("service-roles/" + new string('r', length)));
    }

    [Theory]
    [InlineData(85, true)]
    [InlineData(86, false)]
    public void DestinationRoleNames_path_and_name_are_at_most_85_characters(int length, bool admitted)
    {
        var value = new string('p', length - 65) + "/" + new string('r', 64);

        Assert.Equal(length, value.Length);
        Assert.Equal(admitted, StackAdmitsRoleName(value));
    }

    /// <summary>
    /// destination-role.yaml's RolePath takes every path IAM takes, but the replicator's stack names a role under a path
    /// only in DestinationRoleName or DestinationRoleArns, and DestinationRoleArns is no way round what
    /// DestinationRoleName refuses: its pattern is narrower still (no '=', for the grant's split). A role on such a path
    /// cannot be reached through the stack at all, as docs/deploy.md ("Another account", step 3) says; it had said to
    /// name it in DestinationRoleArns.
    /// </summary>
    [Theory]
    [InlineData("/team*/")]
    [InlineData("/team?/")]
    [InlineData("/team:x/")]
    [InlineData("/team!/")]
    [InlineData("/ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp/")] // 59 + "/" + 26: 86 characters
    public void A_role_on_a_path_DestinationRoleName_refuses_cannot_be_named_in_DestinationRoleArns_either(string rolePath)
    {
        Assert.True(IamAcceptsPath(rolePath));
        Assert.Matches((string)StackTemplate.RawDestinationRole["Parameters"]!["RolePath"]!["AllowedPattern"]!, rolePath);

        Assert.False(StackAdmitsRoleName(Output(Destination(rolePath), "DestinationRoleName")));
        var entry = $"{Other}={IamRoleArn(Other, rolePath, "ecr-replicator-destination")}";
        Assert.DoesNotMatch((string)StackTemplate.Raw["Parameters"]!["DestinationRoleArns"]!["AllowedPattern"]!, entry);
    }

    [Fact]
    public void The_destination_role_passes_cfn_lint_on_a_path()
    {
        var result = DestinationRole.Lint(new Dictionary<string, string>
        {
            ["RolePath"] = "/service-roles/",
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2",
            ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
        });

        Assert.True(result.ExitCode == 0, "cfn-lint reported problems: " + result.Describe());
    }
}
