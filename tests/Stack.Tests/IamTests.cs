using Stack.Tests.Support;

namespace Stack.Tests;

public sealed class IamTests
{
    private static readonly string[] SourceReadActions =
    [
        "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:ListTagsForResource", "ecr:GetLifecyclePolicy", "ecr:GetRepositoryPolicy",
        "ecr:ListImageReferrers", "ecr:DescribeImageSigningStatus",
    ];

    private static readonly string[] DestinationWriteActions =
    [
        "ecr:CreateRepository", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage", "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:DescribeImages",
        "ecr:DescribeRepositories", "ecr:TagResource", "ecr:ListTagsForResource", "ecr:UntagResource", "ecr:PutLifecyclePolicy",
        "ecr:SetRepositoryPolicy", "ecr:BatchDeleteImage",
    ];

    /// <summary>Actions that change a repository: never allowed on the source.</summary>
    private static readonly string[] Mutating =
    [
        "ecr:CreateRepository", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
        "ecr:PutImage", "ecr:TagResource", "ecr:UntagResource", "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy", "ecr:BatchDeleteImage",
        "ecr:PutImageScanningConfiguration",
    ];

    private static readonly DeployedTemplate Stack = Samples.WithDeletes;

    private static List<PolicyStatement> Statements(DeployedTemplate stack) => RolePolicies.Statements(stack);

    [Fact]
    public void Function_uses_the_stack_role_which_trusts_lambda_and_has_no_managed_policies()
    {
        var role = Stack.Properties("ReplicatorFunctionRole");
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;

        Assert.Equal("{GetAtt:ReplicatorFunctionRole.Arn}", (string)Stack.Properties("ReplicatorFunction")["Role"]!);
        Assert.Equal("lambda.amazonaws.com", (string)trust["Principal"]!["Service"]!);
        Assert.Equal(["sts:AssumeRole"], Samples.Strings(trust["Action"]));
        Assert.Empty(Samples.Strings(role["ManagedPolicyArns"]));
        // The stack's own managed policies (one per destination region) attach themselves to this role.
        Assert.Equal(Samples.Destinations.Length, Stack.OfType("AWS::IAM::ManagedPolicy").Count());
        Assert.All(Stack.OfType("AWS::IAM::ManagedPolicy"), p => Assert.Equal(["{Ref:ReplicatorFunctionRole}"], Samples.Strings(p.Value["Properties"]!["Roles"])));
        Assert.Equal(["IntakePipeRole", "ReplicatorFunctionRole"], Stack.OfType("AWS::IAM::Role").Select(r => r.Key).Order());
    }

    [Fact]
    public void No_wildcard_actions_no_s3_no_registry_login_and_no_wildcard_resources()
    {
        var statements = Statements(Stack);

        // Besides the exclusions, each destination policy's guard on ecr:UntagResource (no Sid: no room for one).
        Assert.Equal(["DenyExcludedRepositories"], statements.Where(s => s.Effect != "Allow" && !s.Actions.SequenceEqual(["ecr:UntagResource"])).Select(s => s.Sid));
        Assert.All(statements.SelectMany(s => s.Actions), a =>
        {
            Assert.DoesNotContain("*", a, StringComparison.Ordinal);
            Assert.DoesNotContain("?", a, StringComparison.Ordinal);
            Assert.False(a.StartsWith("s3:", StringComparison.OrdinalIgnoreCase), $"S3 permission {a}");
            Assert.NotEqual("ecr:GetAuthorizationToken", a);
        });
        Assert.NotEmpty(statements.Where(s => s.Effect == "Allow").SelectMany(s => s.Resources));
        Assert.All(statements.Where(s => s.Effect == "Allow").SelectMany(s => s.Resources), r => Assert.NotEqual("*", r));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void BatchDeleteImage_is_allowed_only_when_deletes_are_replicated(string replicateDeletes)
    {
        var stack = StackTemplate.Expand(new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "team/*",
            ["DestinationRegions"] = "us-west-2,eu-west-1",
            ["RepositoryMapping"] = "team/=mirror/team/",
            ["ReplicateDeletes"] = replicateDeletes,
        });

        var granting = Statements(stack).Where(s => s.Effect == "Allow" && s.Actions.Contains("ecr:BatchDeleteImage")).ToList();

        if (replicateDeletes == "true")
        {
            // Both regions' own-name and mapped-name write statements.
            Assert.Equal(4, granting.Count);
            Assert.Equal(["WriteDestinationRepositories", "WriteMappedRepositories"], granting.Select(s => s.Sid).Distinct().Order(StringComparer.Ordinal));
        }
        else
        {
            Assert.Empty(granting);
            Assert.Contains(Statements(stack), s => s.Sid == "WriteMappedRepositories" && s.Actions.Contains("ecr:PutImage"));
        }
    }

    /// <summary>
    /// The function removes one tag, its marker (RepositoryProvisioner.ProvisioningTagKey), so its role may remove that
    /// one only from the repositories it writes in its own account, under their own names and mapped, as
    /// destination-role.yaml's RemoveProvisioningMarker allows in another account; any other key, alone or beside the
    /// marker, is refused, in every destination region.
    /// </summary>
    [Theory]
    [InlineData("us-west-2", "team/app")]
    [InlineData("eu-west-1", "mirror/team/app")]
    public void The_function_role_may_remove_the_provisioning_marker_and_no_other_tag_from_a_destination(string region, string repository)
    {
        var stack = Samples.Mapping("team/*", "team/=mirror/team/");
        var statements = Statements(stack);

        Assert.True(RolePolicies.Allows(statements, "ecr:UntagResource", region, repository, [RolePolicies.ProvisioningTagKey]));
        Assert.False(RolePolicies.Allows(statements, "ecr:UntagResource", region, repository, ["cost-center"]));
        Assert.False(RolePolicies.Allows(statements, "ecr:UntagResource", region, repository, [RolePolicies.ProvisioningTagKey, "cost-center"]));
        // What makes the marker removable is still granted: reading the tags, and tagging on creation.
        Assert.True(RolePolicies.Allows(statements, "ecr:ListTagsForResource", region, repository));
        Assert.True(RolePolicies.Allows(statements, "ecr:TagResource", region, repository));

        // In each destination region's policy, on "*": the role untags nothing else anywhere.
        var denies = statements.Where(s => s.Effect == "Deny" && s.Actions.Contains("ecr:UntagResource")).ToList();
        Assert.Equal(Samples.Destinations.Length, denies.Count);
        Assert.All(denies, deny =>
        {
            Assert.Equal(["ecr:UntagResource"], deny.Actions);
            Assert.Equal(["*"], deny.Resources);
            Assert.Equal([RolePolicies.ProvisioningTagKey], deny.ConditionValues("ForAnyValue:StringNotEquals", "aws:TagKeys"));
            Assert.StartsWith("DestinationWritePolicy", deny.Policy, StringComparison.Ordinal);
        });

        // Without destination regions nothing of the account is written with the role, and nothing is untagged.
        var only = Statements(Samples.OnlyOtherDestinations);
        Assert.DoesNotContain(only, s => s.Actions.Contains("ecr:UntagResource"));

        // The constant is internal to Replicator.Core, so its declaration is read.
        var provisioner = File.ReadAllText(RepositoryRoot.File("src", "Replicator.Core", "Replication", "RepositoryProvisioner.cs"));
        Assert.Contains($"public const string ProvisioningTagKey = \"{RolePolicies.ProvisioningTagKey}\";", provisioner, StringComparison.Ordinal);
    }

    /// <summary>
    /// The IAM section of docs/deploy.md says what the test above proves: the role may untag the provisioning marker
    /// only. It said for a while after the Deny came that UntagResource was "granted here without the marker-only
    /// condition of destination-role.yaml", telling an operator who relies on tags the opposite of what the stack does.
    /// </summary>
    [Fact]
    public void The_IAM_section_says_the_function_role_untags_only_the_provisioning_marker()
    {
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var start = deploy.IndexOf("### IAM: what the function may do", StringComparison.Ordinal);
        var section = deploy[start..deploy.IndexOf("#### IAM and `RepositoryMapping`", start, StringComparison.Ordinal)];

        Assert.DoesNotContain("without the marker-only condition", section, StringComparison.Ordinal);
        Assert.Contains($"`UntagResource` is limited to the marker `{RolePolicies.ProvisioningTagKey}`", section, StringComparison.Ordinal);
        Assert.Contains($"`UntagResource` of the tag `{RolePolicies.ProvisioningTagKey}` only (a `Deny` of any other key)", section, StringComparison.Ordinal);
    }

    /// <summary>
    /// A lifecycle policy can expire every image (https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html),
    /// so the function's role may set one only with CopyLifecyclePolicies: true, the default (null here: not given),
    /// grants it in every write statement of every destination region; false in none.
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    [InlineData("false")]
    public void PutLifecyclePolicy_is_allowed_only_when_lifecycle_policies_are_copied(string? copyLifecyclePolicies)
    {
        var parameters = new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "team/*",
            ["DestinationRegions"] = "us-west-2,eu-west-1",
            ["RepositoryMapping"] = "team/=mirror/team/",
        };
        if (copyLifecyclePolicies is not null)
        {
            parameters["CopyLifecyclePolicies"] = copyLifecyclePolicies;
        }

        var stack = StackTemplate.Expand(parameters);
        var statements = Statements(stack);
        var granting = statements.Where(s => s.Effect == "Allow" && s.Actions.Contains("ecr:PutLifecyclePolicy")).ToList();

        Assert.Equal("true", (string)StackTemplate.Raw["Parameters"]!["CopyLifecyclePolicies"]!["Default"]!);
        if (copyLifecyclePolicies != "false")
        {
            // Both regions' own-name and mapped-name write statements.
            Assert.Equal(4, granting.Count);
            Assert.Equal(["WriteDestinationRepositories", "WriteMappedRepositories"], granting.Select(s => s.Sid).Distinct().Order(StringComparer.Ordinal));
            Assert.True(RolePolicies.Allows(statements, "ecr:PutLifecyclePolicy", "us-west-2", "mirror/team/app"));
        }
        else
        {
            Assert.Empty(granting);
            Assert.Equal(4, statements.Count(s => s.Sid is "WriteDestinationRepositories" or "WriteMappedRepositories" && s.Actions.Contains("ecr:PutImage")));
        }
    }

    [Fact]
    public void SendMessage_is_allowed_only_to_the_dead_letter_queue_and_for_the_reconciler_to_the_replication_queue()
    {
        var send = Statements(Stack).Where(s => s.Actions.Any(a => a.StartsWith("sqs:Send", StringComparison.Ordinal))).ToList();

        Assert.All(send, s => Assert.Equal(["sqs:SendMessage"], s.Actions));
        Assert.Equal(["{GetAtt:DeadLetterQueue.Arn}", "{GetAtt:ReplicationQueue.Arn}"], send.SelectMany(s => s.Resources).Order(StringComparer.Ordinal));

        var off = StackTemplate.Expand(new Dictionary<string, string> { ["RepositoryFilter"] = "*", ["DestinationRegions"] = "us-west-2", ["ReconcileSchedule"] = "" });
        var sendWhenOff = Statements(off).Where(s => s.Actions.Any(a => a.StartsWith("sqs:Send", StringComparison.Ordinal)));
        Assert.Equal(["{GetAtt:DeadLetterQueue.Arn}"], sendWhenOff.SelectMany(s => s.Resources));
    }

    [Fact]
    public void Queue_consumption_and_logging_are_scoped_to_the_stacks_own_queue_and_log_group()
    {
        var statements = Statements(Stack);

        Assert.Contains(statements, s => s.Actions.Any(a => a.StartsWith("sqs:", StringComparison.Ordinal)) && !s.Actions.Contains("sqs:SendMessage"));
        Assert.All(statements.Where(s => s.Actions.Any(a => a.StartsWith("sqs:", StringComparison.Ordinal)) && !s.Actions.Contains("sqs:SendMessage")),
            s => Assert.Equal(["{GetAtt:ReplicationQueue.Arn}"], s.Resources));
        Assert.Contains(statements, s => s.Actions.Any(a => a.StartsWith("logs:", StringComparison.Ordinal)));
        Assert.All(statements.Where(s => s.Actions.Any(a => a.StartsWith("logs:", StringComparison.Ordinal))),
            s => Assert.Equal(["{GetAtt:ReplicatorLogGroup.Arn}"], s.Resources));
    }

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Ecr_allows_name_the_included_patterns_with_this_partition_account_and_a_region(string sample)
    {
        var deployment = Deployment(sample);

        // The reconciler's DescribeRepositories over the whole source registry is checked by ReconcileTests.
        var allows = Statements(deployment.Stack).Where(s => s.Effect == "Allow" && s.Sid != "ListSourceRepositories" && s.Actions.Any(a => a.StartsWith("ecr:", StringComparison.Ordinal))).ToList();
        Assert.NotEmpty(allows);
        foreach (var statement in allows)
        {
            var fields = statement.Resources.Select(Arn.Fields).ToList();
            Assert.All(fields, f =>
            {
                Assert.Equal(IntrinsicEvaluator.Partition, f[1]);
                Assert.Equal("ecr", f[2]);
                Assert.True(f[3].Length > 0 && !f[3].Contains('*', StringComparison.Ordinal), $"{statement.Policy}: region {f[3]}");
                Assert.Equal(IntrinsicEvaluator.AccountId, f[4]);
                Assert.StartsWith("repository/", f[5], StringComparison.Ordinal);
            });
            var names = fields.Select(f => f[5]["repository/".Length..]).ToList();

            // The unrolled list always has 20 entries; the ones that are not patterns cannot name a repository.
            Assert.Equal(20, names.Count);
            Assert.Equal(deployment.Patterns.Order(StringComparer.Ordinal), names.Where(n => !n.StartsWith('@')).Order(StringComparer.Ordinal));
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void Exclusions_are_denied_in_every_region_and_only_when_there_are_some()
    {
        var deny = Assert.Single(Statements(Samples.WithDeletes), s => s.Effect == "Deny" && s.Sid == "DenyExcludedRepositories");

        Assert.Null(deny.Condition);
        Assert.Contains("arn:*:ecr:*:*:repository/team/secret*", deny.Resources);
        Assert.Contains(deny.Resources, r => !r.EndsWith("/team/secret*", StringComparison.Ordinal));
        Assert.All(deny.Resources.Where(r => !r.EndsWith("/team/secret*", StringComparison.Ordinal)), r => Assert.Contains("repository/@", r, StringComparison.Ordinal));
        Assert.Contains("ecr:PutImage", deny.Actions);
        Assert.Contains("ecr:BatchGetImage", deny.Actions);
        Assert.DoesNotContain(Statements(Samples.PushOnly), s => s.Effect == "Deny" && s.Sid == "DenyExcludedRepositories");
    }

    /// <summary>
    /// With a RepositoryMapping the Deny binds only the source region, where the function reads: a rule may write
    /// under an excluded prefix in the destinations on purpose (one direction of a two-way mirror).
    /// </summary>
    [Fact]
    public void With_a_mapping_exclusions_are_denied_where_the_function_reads_and_a_rule_may_write_under_one()
    {
        var statements = Statements(Samples.Mapping("*,!mirror/*", "=mirror/"));
        var deny = Assert.Single(statements, s => s.Effect == "Deny" && s.Sid == "DenyExcludedRepositories");

        Assert.Equal([IntrinsicEvaluator.Region], deny.ConditionValues("StringEquals", "aws:RequestedRegion"));
        Assert.False(RolePolicies.Allows(statements, "ecr:BatchGetImage", IntrinsicEvaluator.Region, "mirror/team/app"));
        Assert.True(RolePolicies.Allows(statements, "ecr:BatchGetImage", IntrinsicEvaluator.Region, "team/app"));
        Assert.True(RolePolicies.Allows(statements, "ecr:PutImage", Samples.Destinations[0], "mirror/team/app"));
    }

    [Fact]
    public void The_issue_selection_allows_everything_but_its_exclusions()
    {
        var stack = Samples.Selecting(Samples.EverythingBut);
        var ecr = Statements(stack).Where(s => s.Actions.Any(a => a.StartsWith("ecr:", StringComparison.Ordinal))).ToList();

        Assert.True(Allows(ecr, "ecr:PutImage", "us-west-2", "team/a"));
        Assert.True(Allows(ecr, "ecr:BatchGetImage", IntrinsicEvaluator.Region, "team/a"));
        Assert.False(Allows(ecr, "ecr:PutImage", "us-west-2", "sandbox/x"));
        Assert.False(Allows(ecr, "ecr:BatchGetImage", IntrinsicEvaluator.Region, "tmp/y"));
        Assert.True(Allows(ecr, "ecr:PutImage", "us-west-2", "tmpl/z"));
    }

    /// <summary>
    /// Exclusions win for every change the role may make, not only for the image writes: a lifecycle policy can
    /// expire every image, a repository policy is set with force, and tags are rewritten.
    /// </summary>
    [Fact]
    public void Every_mutating_action_the_role_has_is_denied_on_an_excluded_repository_in_every_region()
    {
        var statements = Statements(Samples.WithDeletes);
        string[] regions = [IntrinsicEvaluator.Region, .. Samples.Destinations];

        // Taken from the role itself, so a change granted later is covered: every ECR action it allows anywhere, but
        // the reads (of images and of metadata).
        var granted = statements.Where(s => s.Effect == "Allow").SelectMany(s => s.Actions)
            .Where(a => a.StartsWith("ecr:", StringComparison.Ordinal) && !IsRead(a[4..]))
            .Distinct(StringComparer.Ordinal)
            .Where(a => regions.Any(r => Allows(statements, a, r, "team/app")))
            .ToList();

        // Not vacuous: this stack copies deletes and lifecycle policies, so the role holds every kind of change.
        Assert.Contains("ecr:PutLifecyclePolicy", granted);
        Assert.Contains("ecr:BatchDeleteImage", granted);
        Assert.All(granted, a => Assert.All(regions, r => Assert.False(Allows(statements, a, r, "team/secret/x"), $"{a} on the excluded team/secret/x in {r}")));
    }

    private static bool IsRead(string operation) =>
        operation.StartsWith("Describe", StringComparison.Ordinal) || operation.StartsWith("List", StringComparison.Ordinal)
        || operation.StartsWith("Get", StringComparison.Ordinal) || operation is "BatchGetImage" or "BatchCheckLayerAvailability";

    [Theory]
    [MemberData(nameof(Deployments))]
    public void Source_reads_are_granted_in_the_source_region_and_writes_only_in_destination_regions(string sample)
    {
        var (stack, _, repositories, excluded, destinations) = Deployment(sample);
        var ecr = Statements(stack).Where(s => s.Actions.Any(a => a.StartsWith("ecr:", StringComparison.Ordinal))).ToList();

        Assert.All(ecr.Where(s => s.Effect == "Allow"), s =>
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
                // BatchDeleteImage only when deletes are replicated (BatchDeleteImage_is_allowed_only_when_deletes_are_replicated).
                var deletes = (string)stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["REPLICATE_DELETES"]! == "true";
                foreach (var action in DestinationWriteActions.Where(a => deletes || a != "ecr:BatchDeleteImage"))
                {
                    Assert.True(Allows(ecr, action, destination, repository), $"{action} on {destination}/{repository} not granted");
                }
            }
        }

        foreach (var repository in excluded)
        {
            Assert.False(Allows(ecr, "ecr:BatchGetImage", IntrinsicEvaluator.Region, repository));
            Assert.False(Allows(ecr, "ecr:PutImage", destinations[0], repository));
        }

        Assert.False(Allows(ecr, "ecr:PutImage", IntrinsicEvaluator.Region, repositories[0]));
        Assert.False(Allows(ecr, "ecr:PutImage", "sa-east-1", repositories[0]));
    }

    public static TheoryData<string> Deployments() => ["WithDeletes", "PushOnly"];

    private static (DeployedTemplate Stack, string[] Patterns, string[] Repositories, string[] Excluded, string[] Destinations) Deployment(string sample) => sample switch
    {
        "WithDeletes" => (Samples.WithDeletes, ["team/*", "base/nginx_v1.x-y"], ["team/app", "team/deep/er", "base/nginx_v1.x-y"], ["team/secret", "team/secrets", "base/nginx", "other"], Samples.Destinations),
        "PushOnly" => (Samples.PushOnly, ["*"], ["solo", "any/thing"], [], ["ap-southeast-2"]),
        _ => throw new ArgumentOutOfRangeException(nameof(sample)),
    };

    /// <summary>Regions a statement applies in: its ARNs', which must name them (not '*' narrowed by a condition).</summary>
    private static List<string> Regions(PolicyStatement statement)
    {
        var fromArns = statement.Resources.Select(r => Arn.Fields(r)[3]).Distinct().ToList();
        Assert.True(fromArns.All(r => r.Length > 0 && !r.Contains('*', StringComparison.Ordinal)), $"{statement.Policy}: an ARN region is '*' or empty");
        var requested = statement.ConditionValues("StringEquals", "aws:RequestedRegion");
        return requested.Count > 0 ? [.. fromArns.Intersect(requested)] : fromArns;
    }

    private static bool Allows(IEnumerable<PolicyStatement> statements, string action, string region, string repository) =>
        RolePolicies.Allows(statements, action, region, repository);
}
