using Replicator.Core.Destinations;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>The template's other-account, other-partition and mapping settings, and destination-role.yaml.</summary>
public sealed class DestinationTests
{
    private const string Account = IntrinsicEvaluator.AccountId;

    [Fact]
    public void Every_destination_and_setting_reaches_the_function()
    {
        var variables = Samples.OtherDestinations.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;

        Assert.Equal("us-west-2,222222222222:us-west-2,222222222222:eu-west-1,444444444444:us-west-2,333333333333:cn-north-1,us-gov-west-1", (string)variables["DESTINATION_REGIONS"]!);
        Assert.Equal("writer", (string)variables["DESTINATION_ROLE_NAME"]!);
        Assert.Equal("444444444444=arn:aws:iam::444444444444:role/platform/ecr-writer", (string)variables["DESTINATION_ROLE_ARNS"]!);
        Assert.Equal(string.Empty, (string)Samples.PushOnly.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["DESTINATION_ROLE_ARNS"]!);
        Assert.Equal("ext-123", (string)variables["DESTINATION_EXTERNAL_ID"]!);
        Assert.Equal("333333333333:cn-north-1=ssm:/replicator/cn,us-gov-west-1=ssm:/replicator/gov", (string)variables["DESTINATION_CREDENTIALS"]!);
        Assert.Equal("team/=mirror/team/", (string)variables["REPOSITORY_MAPPING"]!);

        // Without other destinations the list has no trailing separator (the function refuses an empty entry).
        Assert.Equal("ap-southeast-2", (string)Samples.PushOnly.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["DESTINATION_REGIONS"]!);
    }

    [Fact]
    public void AssumeRole_is_granted_on_exactly_the_role_of_each_destination_account_and_each_named_role()
    {
        var assume = Statements(Samples.OtherDestinations).Where(s => s.Actions.Any(a => a.StartsWith("sts:", StringComparison.Ordinal))).ToList();

        Assert.All(assume, s => Assert.Equal(["sts:AssumeRole"], s.Actions));

        // DestinationRoleName is granted in every other account (CloudFormation cannot subtract the accounts that
        // DestinationRoleArns overrides), plus each named role.
        Assert.Equal(
            ["arn:aws:iam::222222222222:role/writer", "arn:aws:iam::444444444444:role/platform/ecr-writer", "arn:aws:iam::444444444444:role/writer"],
            assume.SelectMany(s => s.Resources).Distinct().Order(StringComparer.Ordinal));
        // The reconciler's own cursor parameter (ReconcilerPolicy, ReconcileTests) is not a destination's credential.
        Assert.DoesNotContain(Statements(Samples.WithDeletes).Where(s => s.Policy != "ReconcilerPolicy"), s => s.Actions.Any(a => a.StartsWith("sts:", StringComparison.Ordinal) || a.StartsWith("ssm:", StringComparison.Ordinal) || a.StartsWith("kms:", StringComparison.Ordinal)));
    }

    [Fact]
    public void Each_credentials_parameter_is_readable_and_decryptable_only_through_SSM()
    {
        var statements = Statements(Samples.OtherDestinations);
        var parameters = new[] { $"arn:aws:ssm:us-east-1:{Account}:parameter/replicator/cn", $"arn:aws:ssm:us-east-1:{Account}:parameter/replicator/gov" };

        var reads = statements.Where(s => s.Policy != "ReconcilerPolicy" && s.Actions.Any(a => a.StartsWith("ssm:", StringComparison.Ordinal))).ToList();
        Assert.All(reads, s => Assert.Equal(["ssm:GetParameter"], s.Actions));
        Assert.Equal(parameters, reads.SelectMany(s => s.Resources).Order(StringComparer.Ordinal));

        var decrypts = statements.Where(s => s.Actions.Any(a => a.StartsWith("kms:", StringComparison.Ordinal))).ToList();
        Assert.Equal(2, decrypts.Count);
        Assert.All(decrypts, s =>
        {
            Assert.Equal(["kms:Decrypt"], s.Actions);
            Assert.Equal([$"arn:aws:kms:us-east-1:{Account}:key/*"], s.Resources);
            Assert.Equal(["ssm.us-east-1.amazonaws.com"], s.ConditionValues("StringEquals", "kms:ViaService"));
        });
        Assert.Equal(parameters, decrypts.SelectMany(s => s.ConditionValues("StringEquals", "kms:EncryptionContext:PARAMETER_ARN")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Writes_cover_the_mapped_names_in_the_destination_regions_of_this_account_only()
    {
        var mapped = Statements(Samples.OtherDestinations).Where(s => s.Policy.StartsWith("WriteMappedRepositories", StringComparison.Ordinal)).ToList();

        var statement = Assert.Single(mapped);
        Assert.Contains("ecr:PutImage", statement.Actions);
        // The function's own credentials write only in its own partition and account (DestinationAccess.Route: another
        // account through a role there, another partition with keys from SSM), so the ARN names both; the regions
        // are the condition's.
        Assert.Equal([$"arn:{IntrinsicEvaluator.Partition}:ecr:*:{Account}:repository/mirror/team/*"], statement.Resources);
        Assert.Equal(["us-west-2"], statement.ConditionValues("StringEquals", "aws:RequestedRegion"));
        Assert.Equal([Account], statement.ConditionValues("StringEquals", "aws:ResourceAccount"));
        // Without mapping or other accounts, the only role policy is the reconciler's own (ReconcileTests).
        Assert.Equal(["ReconcilerPolicy"], Samples.WithDeletes.OfType("AWS::IAM::RolePolicy").Select(p => p.Key));
    }

    [Fact]
    public void Only_destinations_of_this_account_and_partition_are_written_with_the_functions_own_role()
    {
        // The function's settings as this stack gives them, routed as the function routes them: what the role's own
        // write grants (WriteDestinationRepositories, WriteMappedRepositories) must cover, and no more.
        var variables = Samples.OtherDestinations.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        string? Setting(string name) => (string?)variables[name] is { Length: > 0 } value ? value : null;
        var destinations = ReplicationDestination.ParseAll(Setting(ReplicationDestination.Variable)!.Split(','));
        var access = DestinationAccess.Parse(
            Setting(DestinationAccess.RoleNameVariable),
            Setting(DestinationAccess.RoleArnsVariable),
            Setting(DestinationAccess.ExternalIdVariable),
            Setting(DestinationAccess.CredentialsVariable),
            destinations,
            IntrinsicEvaluator.Region);

        var own = destinations.Where(d => access.Route(d, Account).Kind == DestinationRouteKind.SourceCredentials).ToList();

        Assert.Equal(6, destinations.Count);
        Assert.All(own, d =>
        {
            Assert.True(d.RegistryId is null or Account, $"{d} is written with the function's own role in another account");
            Assert.Equal(IntrinsicEvaluator.Partition, AwsPartitions.IdOf(d.Region));
        });
        var mapped = Assert.Single(Statements(Samples.OtherDestinations), s => s.Policy.StartsWith("WriteMappedRepositories", StringComparison.Ordinal));
        Assert.Equal(own.Select(d => d.Region).Order(StringComparer.Ordinal), mapped.ConditionValues("StringEquals", "aws:RequestedRegion").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_destination_role_template_passes_cfn_lint()
    {
        var result = ProcessRunner.Run("cfn-lint", ["destination-role.yaml"]);

        Assert.True(result.ExitCode == 0, "cfn-lint destination-role.yaml reported problems: " + result.Describe());
    }

    [Fact]
    public void The_destination_role_trusts_only_the_replicator_and_writes_only_the_named_repositories()
    {
        var template = File.ReadAllText(RepositoryRoot.File("destination-role.yaml"));

        Assert.Contains("AWS: !Ref ReplicatorRoleArn", template, StringComparison.Ordinal);
        Assert.Contains("sts:ExternalId: !Ref ExternalId", template, StringComparison.Ordinal);
        Assert.Contains("aws:ResourceAccount: !Ref \"AWS::AccountId\"", template, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:GetAuthorizationToken", template, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:DeleteRepository", template, StringComparison.Ordinal);
        Assert.DoesNotContain("Resource: \"*\"", template, StringComparison.Ordinal);
    }

    private static List<PolicyStatement> Statements(DeployedTemplate stack)
    {
        var role = stack.Properties("ReplicatorFunctionRole");
        var statements = role["Policies"]!.AsArray().SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!)).ToList();
        statements.AddRange(stack.OfType("AWS::IAM::RolePolicy").SelectMany(r => PolicyStatement.Of(r.Key, r.Value["Properties"]!["PolicyDocument"]!)));
        return statements;
    }
}
