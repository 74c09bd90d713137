using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// Creating a repository encrypted with a KMS key: ECR calls DescribeKey and CreateGrant on the caller's behalf, and the
/// Amazon ECR user guide (encryption at rest, "Required IAM permissions") names what the caller needs. The stack grants
/// it to the function for its own account's destinations, destination-role.yaml to the role of another account.
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html
/// </summary>
public sealed class KmsTests
{
    private static readonly string[] CreateEncryptedRepository = ["kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant"];

    private const string KeyArns = "arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:kms:eu-west-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef";

    [Fact]
    public void With_DestinationKmsKeys_each_destination_policy_grants_the_three_actions_through_ECR_in_its_region()
    {
        var policies = Samples.Options.OfType("AWS::IAM::ManagedPolicy").ToList();
        Assert.Equal(Samples.Destinations.Length, policies.Count);

        foreach (var region in Samples.Destinations)
        {
            var policy = Assert.Single(policies, p => ((string)p.Value["Properties"]!["Description"]!).EndsWith(" in " + region, StringComparison.Ordinal));
            var kms = Assert.Single(PolicyStatement.Of(policy.Key, policy.Value["Properties"]!["PolicyDocument"]!), s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal)));
            Assert.Equal("Allow", kms.Effect);
            Assert.Equal(CreateEncryptedRepository, kms.Actions.Order(StringComparer.Ordinal));
            Assert.Equal([$"arn:aws:kms:{region}:*:key/*"], kms.Resources);
            Assert.Equal([$"ecr.{region}.amazonaws.com"], kms.ConditionValues("StringEquals", "kms:ViaService"));
        }
    }

    [Fact]
    public void Without_DestinationKmsKeys_no_KMS_permission_is_granted_for_repositories()
    {
        Assert.DoesNotContain(RolePolicies.Statements(Samples.WithDeletes), s => s.Actions.Any(CreateEncryptedRepository.Contains));
    }

    [Fact]
    public void Template_description_and_docs_name_the_actions_of_the_ECR_user_guide_and_no_other()
    {
        var description = (string)StackTemplate.Raw["Parameters"]!["DestinationKmsKeys"]!["Description"]!;
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        foreach (var text in new[] { description, deploy })
        {
            Assert.All(CreateEncryptedRepository, action => Assert.Contains(action, text, StringComparison.Ordinal));
        }

        // The lists that once stood beside it: the key's data-key operations are ECR's own, through its grant.
        // (kms:EncryptionContext:PARAMETER_ARN, a condition key of the SSM credentials grant, is another matter.)
        foreach (var text in new[] { description, deploy })
        {
            Assert.DoesNotMatch(@"kms:(?:Encrypt|GenerateDataKey)\b", text);
        }
    }

    [Fact]
    public void The_destination_role_grants_the_three_actions_on_exactly_the_given_keys()
    {
        var statement = Assert.Single(DestinationRole.Statements(KeyArns), s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal)));

        Assert.Equal("Allow", statement.Effect);
        Assert.Equal(CreateEncryptedRepository, statement.Actions.Order(StringComparer.Ordinal));
        Assert.Equal(KeyArns.Split(','), statement.Resources);
        Assert.Equal(["ecr.*.amazonaws.com"], statement.ConditionValues("StringLike", "kms:ViaService"));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", true)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/a,arn:aws:kms:eu-west-1:222222222222:key/b", true)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/a,", false)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/a,,arn:aws:kms:eu-west-1:222222222222:key/b", false)]
    public void The_destination_role_refuses_an_empty_key_entry(string value, bool deploys)
    {
        var failed = DestinationRole.Evaluator(value).FailedAssertions(StackTemplate.RawDestinationRole);

        Assert.Equal(deploys, failed.Count == 0);
    }

    [Fact]
    public void The_destination_role_grants_no_KMS_permission_by_default()
    {
        Assert.Equal("", (string)StackTemplate.RawDestinationRole["Parameters"]!["KmsKeyArns"]!["Default"]!);
        var statements = DestinationRole.Statements();

        // The writes, and the removal of the replicator's marker tag.
        Assert.Equal(["RemoveProvisioningMarker", "WriteReplicatedRepositories"], statements.Select(s => s.Sid).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(statements, s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab", true)]
    [InlineData("arn:aws-cn:kms:cn-north-1:222222222222:key/mrk-0123456789abcdef0123456789abcdef", true)]
    [InlineData("", true)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:alias/ecr", false)] // IAM authorizes the key, never an alias
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab", false)]
    [InlineData("arn:aws:kms:us-west-2:222222222222:key/*", false)]
    public void The_destination_role_takes_key_ARNs_only(string value, bool admitted)
    {
        Assert.Equal(admitted, DestinationRole.Admits("KmsKeyArns", value));
    }

    [Fact]
    public void The_destination_role_passes_cfn_lint_with_keys_given()
    {
        var result = DestinationRole.Lint(new Dictionary<string, string>
        {
            ["KmsKeyArns"] = KeyArns,
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2,eu-west-1",
            ["ReplicatorRoleArn"] = "arn:aws:iam::111111111111:role/replicator",
        });

        Assert.True(result.ExitCode == 0, "cfn-lint reported problems: " + result.Describe());
    }
}
