using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class IamTests
{
    private static readonly string[] SourceReadActions =
    [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:ListTagsForResource", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy",
        "ecr:ListImages",
    ];

    private static readonly string[] DestinationWriteActions =
    [
        "ecr:CreateRepository", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:TagResource", "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy",
        "ecr:BatchDeleteImage",
    ];

    /// <summary>Actions that change a repository: never allowed on the source.</summary>
    private static readonly string[] Mutating =
    [
        "ecr:CreateRepository", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage", "ecr:TagResource", "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy", "ecr:BatchDeleteImage",
        "ecr:PutImageScanningConfiguration",
    ];

    private static readonly DeployedTemplate Stack = Samples.WithDeletes;

    private static List<PolicyStatement> Statements(DeployedTemplate stack)
    {
        var role = stack.Properties("ReplicatorFunctionRole");
        var statements = role["Policies"]!.AsArray()
            .SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!))
            .ToList();
        foreach (var type in new[] { "AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::ManagedPolicy" })
        {
            statements.AddRange(stack.OfType(type).SelectMany(r => PolicyStatement.Of(r.Key, r.Value["Properties"]!["PolicyDocument"]!)));
        }

        return statements;
    }

    [Fact]
    public void Function_uses_the_stack_role_which_trusts_lambda_and_has_no_managed_policies()
    {
        var role = Stack.Properties("ReplicatorFunctionRole");
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;

        Assert.Equal("{GetAtt:ReplicatorFunctionRole.Arn}", (string)Stack.Properties("ReplicatorFunction")["Role"]!);
        Assert.Equal("lambda.amazonaws.com", (string)trust["Principal"]!["Service"]!);
        Assert.Equal(["sts:AssumeRole"], Samples.Strings(trust["Action"]));
        Assert.Empty(Samples.Strings(role["ManagedPolicyArns"]));
        Assert.Single(Stack.OfType("AWS::IAM::Role"));
    }

    [Fact]
    public void No_wildcard_actions_no_s3_no_registry_login_and_no_wildcard_resources()
    {
        var statements = Statements(Stack);

        Assert.All(statements, s => Assert.Equal("Allow", s.Effect));
        Assert.All(statements.SelectMany(s => s.Actions), a =>
        {
            Assert.DoesNotContain("*", a, StringComparison.Ordinal);
            Assert.DoesNotContain("?", a, StringComparison.Ordinal);
            Assert.False(a.StartsWith("s3:", StringComparison.OrdinalIgnoreCase), $"S3 permission {a}");
            Assert.NotEqual("ecr:GetAuthorizationToken", a);
        });
        Assert.All(statements.SelectMany(s => s.Resources), r => Assert.NotEqual("*", r));
    }

    [Fact]
    public void SendMessage_is_allowed_only_to_the_dead_letter_queue()
    {
        var send = Statements(Stack).Where(s => s.Actions.Any(a => a.StartsWith("sqs:Send", StringComparison.Ordinal))).ToList();

        var statement = Assert.Single(send);
        Assert.Equal(["sqs:SendMessage"], statement.Actions);
        Assert.Equal(["{GetAtt:DeadLetterQueue.Arn}"], statement.Resources);
    }

    [Fact]
    public void Queue_consumption_and_logging_are_scoped_to_the_stacks_own_queue_and_log_group()
    {
        var statements = Statements(Stack);

        Assert.All(statements.Where(s => s.Actions.Any(a => a.StartsWith("sqs:", StringComparison.Ordinal)) && !s.Actions.Contains("sqs:SendMessage")),
            s => Assert.Equal(["{GetAtt:ReplicationQueue.Arn}"], s.Resources));
        Assert.All(statements.Where(s => s.Actions.Any(a => a.StartsWith("logs:", StringComparison.Ordinal))),
            s => Assert.Equal(["{GetAtt:ReplicatorLogGroup.Arn}"], s.Resources));
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Ecr_permissions_name_only_the_replicated_repositories_in_this_account(string sample)
    {
        var (stack, repositories, _) = Deployment(sample);

        foreach (var statement in Statements(stack).Where(s => s.Actions.Any(a => a.StartsWith("ecr:", StringComparison.Ordinal))))
        {
            var names = statement.Resources.Select(r =>
            {
                var fields = Arn.Fields(r);
                Assert.Equal("ecr", fields[2]);
                Assert.True(fields[4] == IntrinsicEvaluator.AccountId || statement.ConditionValues("StringEquals", "aws:ResourceAccount").SequenceEqual([IntrinsicEvaluator.AccountId]),
                    $"{statement.Policy}: account of {r} is neither this account nor pinned by aws:ResourceAccount");
                Assert.StartsWith("repository/", fields[5], StringComparison.Ordinal);
                return fields[5]["repository/".Length..];
            });

            Assert.Equal(repositories.Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Source_reads_are_granted_in_the_source_region_and_writes_only_in_destination_regions(string sample)
    {
        var (stack, repositories, destinations) = Deployment(sample);
        var ecr = Statements(stack).Where(s => s.Actions.Any(a => a.StartsWith("ecr:", StringComparison.Ordinal))).ToList();

        Assert.All(ecr, s =>
        {
            var regions = Regions(s);
            var mutating = s.Actions.Intersect(Mutating).ToList();
            if (mutating.Count > 0)
            {
                Assert.True(regions.All(destinations.Contains), $"{s.Policy} grants {string.Join(',', mutating)} in {string.Join(',', regions)}");
                Assert.DoesNotContain(IntrinsicEvaluator.Region, regions);
            }

            if (s.Actions.Contains("ecr:GetDownloadUrlForLayer"))
            {
                Assert.Equal([IntrinsicEvaluator.Region], regions);
            }
        });

        foreach (var repository in repositories)
        {
            foreach (var action in SourceReadActions)
            {
                Assert.True(Allows(ecr, action, IntrinsicEvaluator.Region, repository), $"{action} on source {repository} not granted");
            }

            foreach (var destination in destinations)
            {
                foreach (var action in DestinationWriteActions)
                {
                    Assert.True(Allows(ecr, action, destination, repository), $"{action} on {destination}/{repository} not granted");
                }
            }
        }

        Assert.False(Allows(ecr, "ecr:PutImage", IntrinsicEvaluator.Region, repositories[0]));
        Assert.False(Allows(ecr, "ecr:PutImage", "sa-east-1", repositories[0]));
        Assert.False(Allows(ecr, "ecr:BatchGetImage", destinations[0], "not-replicated"));
    }

    public static TheoryData<string> Deployments() => ["WithDeletes", "PushOnly"];

    private static (DeployedTemplate Stack, string[] Repositories, string[] Destinations) Deployment(string sample) => sample switch
    {
        "WithDeletes" => (Samples.WithDeletes, Samples.Repositories, Samples.Destinations),
        "PushOnly" => (Samples.PushOnly, ["solo"], ["ap-southeast-2"]),
        _ => throw new ArgumentOutOfRangeException(nameof(sample)),
    };

    /// <summary>Regions a statement applies in: the ARN's region, narrowed by aws:RequestedRegion when it is '*'.</summary>
    private static List<string> Regions(PolicyStatement statement)
    {
        var requested = statement.ConditionValues("StringEquals", "aws:RequestedRegion");
        var fromArns = statement.Resources.Select(r => Arn.Fields(r)[3]).Distinct().ToList();
        if (fromArns.Contains("*"))
        {
            Assert.True(requested.Count > 0, $"{statement.Policy}: ARN region '*' without an aws:RequestedRegion condition");
            return [.. requested];
        }

        return requested.Count > 0 ? [.. fromArns.Intersect(requested)] : fromArns;
    }

    private static bool Allows(IEnumerable<PolicyStatement> statements, string action, string region, string repository)
    {
        var arn = $"arn:aws:ecr:{region}:{IntrinsicEvaluator.AccountId}:repository/{repository}";
        return statements.Any(s =>
            s.Actions.Contains(action) &&
            s.Resources.Any(r => Arn.Matches(r, arn)) &&
            s.ConditionValues("StringEquals", "aws:RequestedRegion") is var requested &&
            (requested.Count == 0 || requested.Contains(region)) &&
            s.ConditionValues("StringEquals", "aws:ResourceAccount") is var account &&
            (account.Count == 0 || account.Contains(IntrinsicEvaluator.AccountId)));
    }
}
