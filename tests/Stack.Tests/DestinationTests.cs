using Replicator.Core.Destinations;
using Replicator.Core.Partitions;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
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
    public void A_stack_without_regions_of_this_account_writes_only_through_other_accounts_and_partitions()
    {
        var stack = Samples.OnlyOtherDestinations;

        Assert.Equal("222222222222:us-west-2,cn-north-1", (string)stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!["DESTINATION_REGIONS"]!);
        // No per-region write policy or alarm for the empty DestinationRegions, and no write grant with the function's own role.
        Assert.DoesNotContain(stack.OfType("AWS::IAM::ManagedPolicy"), p => p.Key.StartsWith("DestinationWritePolicy", StringComparison.Ordinal));
        Assert.Equal(["LatencyAlarmAllDestinations"], stack.OfType("AWS::CloudWatch::Alarm").Select(a => a.Key).Where(k => k.StartsWith("LatencyAlarm", StringComparison.Ordinal)));
        Assert.DoesNotContain(Statements(stack), s => s.Actions.Contains("ecr:PutImage"));
        Assert.Contains(Statements(stack), s => s.Actions.SequenceEqual(["sts:AssumeRole"]));
        Assert.Empty(stack.Evaluator.FailedAssertions(StackTemplate.Raw));
    }

    [Theory]
    [InlineData("", "222222222222:us-west-2", "", "222222222222:us-west-2")]
    [InlineData("", "", "cn-north-1", "cn-north-1")]
    [InlineData("", "222222222222:us-west-2", "cn-north-1", "222222222222:us-west-2,cn-north-1")]
    [InlineData("us-west-2", "", "cn-north-1", "us-west-2,cn-north-1")]
    [InlineData("us-west-2,eu-west-1", "", "", "us-west-2,eu-west-1")]
    public void DESTINATION_REGIONS_joins_the_given_lists_without_an_empty_entry(string regions, string accounts, string partitions, string expected)
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = regions,
            ["OtherAccountDestinations"] = accounts,
            ["OtherPartitionDestinations"] = partitions,
            ["DestinationCredentials"] = partitions.Length == 0 ? "" : string.Join(',', partitions.Split(',').Select(d => $"{d}=ssm:/ecr-replicator/{d}")),
        });
        var function = StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!["Properties"]!["Environment"]!["Variables"]!["DESTINATION_REGIONS"];

        var value = (string)evaluator.Evaluate(function)!;

        Assert.Equal(expected, value);
        // As the function reads it: every entry parses.
        Assert.Equal(expected.Split(',').Length, ReplicationDestination.ParseAll(value.Split(',')).Count);
        Assert.Empty(evaluator.FailedAssertions(StackTemplate.Raw));
    }

    [Fact]
    public void A_rule_refuses_a_stack_without_any_destination()
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string> { ["RepositoryFilter"] = "*" });

        Assert.Equal(
            ["Give at least one of DestinationRegions, OtherAccountDestinations and OtherPartitionDestinations."],
            evaluator.FailedAssertions(StackTemplate.Raw));
        // The other rule still holds the source region out.
        var own = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string> { ["RepositoryFilter"] = "*", ["DestinationRegions"] = IntrinsicEvaluator.Region });
        Assert.Equal(["DestinationRegions must not contain the region the stack is deployed in."], own.FailedAssertions(StackTemplate.Raw));
    }

    /// <summary>
    /// OtherPartitionDestinations reaches the function in DESTINATION_REGIONS, which refuses its own region at init:
    /// a rule refuses the stack's region there before any change. "ACCOUNT:REGION" of the stack's region is not
    /// caught (rule functions compare whole values) and the function accepts it, as a destination of another account.
    /// </summary>
    [Theory]
    [InlineData("cn-north-1", true)]
    [InlineData(IntrinsicEvaluator.Region, false)]
    [InlineData("cn-north-1," + IntrinsicEvaluator.Region, false)]
    [InlineData("333333333333:" + IntrinsicEvaluator.Region, true)]
    public void A_rule_refuses_the_stack_region_in_OtherPartitionDestinations(string partitions, bool deploys)
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["OtherPartitionDestinations"] = partitions,
            ["DestinationCredentials"] = string.Join(',', partitions.Split(',').Select(d => $"{d}=ssm:/ecr-replicator/{d.Replace(':', '-')}")),
        });

        Assert.Equal(deploys ? [] : ["OtherPartitionDestinations must not contain the region the stack is deployed in (it is in this stack's partition, not another one)."], evaluator.FailedAssertions(StackTemplate.Raw));

        // What the rule stands in for: the function refuses the bare region at init, and takes ACCOUNT:REGION.
        var regions = (string)evaluator.Evaluate(StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!["Properties"]!["Environment"]!["Variables"]!["DESTINATION_REGIONS"])!;
        Assert.Equal(deploys, !FunctionRefusesDestinationRegions(regions));
    }

    /// <summary>
    /// A destination of another partition cannot be written without its DestinationCredentials entry: the function
    /// refuses it at init (DESTINATION_CREDENTIALS), so a stack with OtherPartitionDestinations and no credentials at all
    /// deployed and failed every invocation. A rule refuses it before any change; an entry missing among several is
    /// still the function's to refuse (rule functions compare whole values).
    /// </summary>
    [Theory]
    [InlineData("cn-north-1", "", false)]
    [InlineData("333333333333:cn-north-1,us-gov-west-1", "", false)]
    [InlineData("cn-north-1", "cn-north-1=ssm:/ecr-replicator/cn-north-1", true)]
    [InlineData("", "", true)]
    public void A_rule_refuses_other_partition_destinations_without_any_credentials(string partitions, string credentials, bool deploys)
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["OtherPartitionDestinations"] = partitions,
            ["DestinationCredentials"] = credentials,
        });

        Assert.Equal(
            deploys ? [] : ["OtherPartitionDestinations needs DestinationCredentials (DESTINATION=ssm:/PARAMETER for each of its destinations), which is empty."],
            evaluator.FailedAssertions(StackTemplate.Raw));

        // What the rule stands in for: the function, given the variables such a stack would deploy, refuses them at init.
        var variables = StackTemplate.Raw["Resources"]!["ReplicatorFunction"]!["Properties"]!["Environment"]!["Variables"]!;
        var environment = new Variables(new Dictionary<string, string>
        {
            ["AWS_REGION"] = IntrinsicEvaluator.Region,
            ["DESTINATION_REGIONS"] = (string)evaluator.Evaluate(variables["DESTINATION_REGIONS"])!,
            ["DESTINATION_CREDENTIALS"] = (string)evaluator.Evaluate(variables["DESTINATION_CREDENTIALS"])!,
        });
        string? refused = null;
        try
        {
            Replicator.Function.Configuration.FunctionConfig.Load(environment);
        }
        catch (Replicator.Function.Configuration.ConfigurationException e)
        {
            refused = e.Variable;
        }

        Assert.Equal(deploys ? null : "DESTINATION_CREDENTIALS", refused);
    }

    private static bool FunctionRefusesDestinationRegions(string regions)
    {
        var environment = new Variables(new Dictionary<string, string> { ["AWS_REGION"] = IntrinsicEvaluator.Region, ["DESTINATION_REGIONS"] = regions });
        try
        {
            Replicator.Function.Configuration.FunctionConfig.Load(environment);
            return false;
        }
        catch (Replicator.Function.Configuration.ConfigurationException e)
        {
            return e.Variable == "DESTINATION_REGIONS";
        }
    }

    private sealed class Variables(Dictionary<string, string> values) : Replicator.Core.Configuration.IEnvironmentVariables
    {
        public string? GetEnvironmentVariable(string name) => values.GetValueOrDefault(name);

        public void SetEnvironmentVariable(string name, string? value) => throw new NotSupportedException("read only");
    }

    /// <summary>
    /// A stray or doubled comma in a list parameter passes its per-entry AllowedPattern (which admits the empty
    /// default), so a rule refuses it by name before any change, instead of a failed alarm or a function that refuses
    /// its variables at every invocation.
    /// </summary>
    [Theory]
    [InlineData("DestinationRegions", "us-west-2,")]
    [InlineData("DestinationRegions", "us-west-2,,eu-west-1")]
    [InlineData("OtherAccountDestinations", "222222222222:us-west-2,")]
    [InlineData("DestinationRoleArns", ",222222222222=arn:aws:iam::222222222222:role/writer")]
    [InlineData("OtherPartitionDestinations", "cn-north-1,")]
    [InlineData("DestinationCredentials", "cn-north-1=ssm:/ecr-replicator/cn-north-1,")]
    public void A_rule_refuses_a_list_parameter_with_an_empty_entry_naming_it(string parameter, string value)
    {
        var values = new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = "222222222222:eu-west-1",
            ["DestinationRoleArns"] = "222222222222=arn:aws:iam::222222222222:role/writer",
            ["OtherPartitionDestinations"] = "cn-north-1",
            ["DestinationCredentials"] = "cn-north-1=ssm:/ecr-replicator/cn-north-1",
        };
        Assert.Empty(new IntrinsicEvaluator(StackTemplate.Raw, values).FailedAssertions(StackTemplate.Raw));

        values[parameter] = value;
        var failed = new IntrinsicEvaluator(StackTemplate.Raw, values).FailedAssertions(StackTemplate.Raw);

        Assert.Equal([$"{parameter} has an empty entry (a stray comma)"], failed.Select(f => f[..f.IndexOf(';', StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData("", "", true)]
    [InlineData("222222222222:us-west-2", "", true)]
    [InlineData("222222222222:us-west-2", "222222222222=arn:aws:iam::222222222222:role/writer", true)]
    [InlineData("", "222222222222=arn:aws:iam::222222222222:role/writer", false)]
    public void A_rule_refuses_role_ARNs_without_any_other_account_destination(string accounts, string roleArns, bool deploys)
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.Raw, new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["DestinationRegions"] = "us-west-2",
            ["OtherAccountDestinations"] = accounts,
            ["DestinationRoleArns"] = roleArns,
        });

        var failed = evaluator.FailedAssertions(StackTemplate.Raw);

        Assert.Equal(deploys ? [] : ["DestinationRoleArns names roles for the accounts of OtherAccountDestinations, which is empty."], failed);
    }

    [Fact]
    public void AssumeRole_is_granted_on_exactly_the_role_of_each_destination_account_and_each_named_role()
    {
        var assume = Statements(Samples.OtherDestinations).Where(s => s.Actions.Any(a => a.StartsWith("sts:", StringComparison.Ordinal))).ToList();

        Assert.All(assume, s => Assert.Equal(["sts:AssumeRole"], s.Actions));
        Assert.All(assume, s => Assert.Null(s.Condition));

        // DestinationRoleName is allowed in every other account (CloudFormation cannot subtract the accounts that
        // DestinationRoleArns overrides), each named role too, and the overridden account's DestinationRoleName is
        // denied by that entry's policy: an explicit Deny wins, so what the role may assume is exactly the role the
        // function assumes in each account (DestinationAccess.Route).
        var allowed = assume.Where(s => s.Effect == "Allow").SelectMany(s => s.Resources).ToHashSet(StringComparer.Ordinal);
        var denied = assume.Where(s => s.Effect == "Deny").SelectMany(s => s.Resources).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["arn:aws:iam::444444444444:role/writer"], denied);
        Assert.Equal(
            ["arn:aws:iam::222222222222:role/writer", "arn:aws:iam::444444444444:role/platform/ecr-writer"],
            allowed.Except(denied).Order(StringComparer.Ordinal));
        Assert.All(assume.Where(s => s.Effect == "Deny"), s => Assert.StartsWith("AssumeNamedDestinationRole444444444444", s.Policy, StringComparison.Ordinal));
        var access = DestinationAccess.Parse("writer", "444444444444=arn:aws:iam::444444444444:role/platform/ecr-writer", null, null, ReplicationDestination.ParseAll(["222222222222:us-west-2", "444444444444:us-west-2"]), "us-east-1");
        Assert.Equal(
            allowed.Except(denied).Order(StringComparer.Ordinal),
            new[] { "222222222222", "444444444444" }.Select(a => access.Route(new ReplicationDestination("us-west-2", a), Account).RoleArn!).Order(StringComparer.Ordinal));
        // The reconciler's own cursor parameter (ReconcilerPolicy, ReconcileTests) is not a destination's credential.
        Assert.DoesNotContain(Statements(Samples.WithDeletes).Where(s => s.Policy != "ReconcilerPolicy"), s => s.Actions.Any(a => a.StartsWith("sts:", StringComparison.Ordinal) || a.StartsWith("ssm:", StringComparison.Ordinal) || a.StartsWith("kms:", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The one entry the Deny cannot serve: a DestinationRoleArns role that is DestinationRoleName's own role in that
    /// account would be both allowed and denied, so denied. No rule can compare the parts of an entry, so the template
    /// deploys it and the function refuses it at init, naming the entry; leaving the account out assumes the same role.
    /// </summary>
    [Fact]
    public void A_role_arn_naming_the_default_role_is_denied_by_the_stack_and_refused_by_the_function()
    {
        var values = new Dictionary<string, string>
        {
            ["RepositoryFilter"] = "*",
            ["OtherAccountDestinations"] = "444444444444:us-west-2",
            ["DestinationRoleName"] = "writer",
            ["DestinationRoleArns"] = "444444444444=arn:aws:iam::444444444444:role/writer",
        };
        var stack = StackTemplate.Expand(values);
        Assert.Empty(stack.Evaluator.FailedAssertions(StackTemplate.Raw));

        var assume = Statements(stack).Where(s => s.Actions.Contains("sts:AssumeRole")).ToList();
        Assert.Equal(["arn:aws:iam::444444444444:role/writer"], assume.Where(s => s.Effect == "Deny").SelectMany(s => s.Resources));
        Assert.Equal(["arn:aws:iam::444444444444:role/writer"], assume.Where(s => s.Effect == "Allow").SelectMany(s => s.Resources).Distinct());

        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        var error = Assert.Throws<Replicator.Core.Configuration.SettingException>(() => DestinationAccess.Parse(
            (string)variables["DESTINATION_ROLE_NAME"]!,
            (string)variables["DESTINATION_ROLE_ARNS"]!,
            null,
            null,
            ReplicationDestination.ParseAll(((string)variables["DESTINATION_REGIONS"]!).Split(',')),
            IntrinsicEvaluator.Region));
        Assert.Equal("DESTINATION_ROLE_ARNS", error.Setting);
        Assert.Contains("leave account 444444444444 out of DESTINATION_ROLE_ARNS", error.Problem, StringComparison.Ordinal);
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
    public void Mapped_writes_are_in_each_destination_policy_with_this_partition_account_and_region()
    {
        var mapped = Statements(Samples.OtherDestinations).Where(s => s.Sid == "WriteMappedRepositories").ToList();

        var statement = Assert.Single(mapped);
        Assert.Equal("DestinationWritePolicyuswest2", statement.Policy);
        Assert.Contains("ecr:PutImage", statement.Actions);
        // The function's own credentials write only in its own partition and account (DestinationAccess.Route: another
        // account through a role there, another partition with keys from SSM), so the ARN names both, and the region.
        // The first entry and the padding name prefixes starting with '@', which no repository name has.
        Assert.Equal([$"arn:{IntrinsicEvaluator.Partition}:ecr:us-west-2:{Account}:repository/mirror/team/*"], statement.Resources.Where(r => !r.Contains("repository/@", StringComparison.Ordinal)));
        Assert.Equal(10, statement.Resources.Count);
        Assert.Null(statement.Condition);
        // Without mapping there is no such statement, and no role policy but the reconciler's own (ReconcileTests).
        Assert.DoesNotContain(Statements(Samples.WithDeletes), s => s.Sid == "WriteMappedRepositories");
        Assert.Equal(["ReconcilerPolicy"], Samples.WithDeletes.OfType("AWS::IAM::RolePolicy").Select(p => p.Key));
    }

    private static readonly string[] WriteActions =
    [
        "ecr:CreateRepository", "ecr:DescribeRepositories", "ecr:TagResource", "ecr:ListTagsForResource", "ecr:UntagResource",
        "ecr:PutLifecyclePolicy", "ecr:SetRepositoryPolicy",
        "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload", "ecr:BatchGetImage", "ecr:DescribeImages", "ecr:PutImage", "ecr:BatchDeleteImage",
    ];

    public static TheoryData<string> Mappings() => ["prefix to backup", "everything, two rules", "rule inside a pattern", "exact names", "prefix stripped", "two-way mirror"];

    /// <summary>
    /// A filter and a mapping; source names to replicate through them; and destination names the function never writes
    /// there, which no grant may cover. The residual widths of docs/deploy.md (IAM) are left out of the last list.
    /// </summary>
    private static (string Filter, string Mapping, string[] Sources, string[] NeverWritten) Mapping(string name) => name switch
    {
        // Every selected name is mapped: none may be written under its own name, nor outside the selection.
        "prefix to backup" => ("team/*", "=backup/", ["team/app", "team/deep/er", "other", "backup/x"], ["team/app", "team/deep/er", "other", "backup/x", "backup/other", "backup/teamx"]),
        // The longest prefix wins (team/a goes to mirror/team/a, not backup/team/a); exclusions stay out.
        "everything, two rules" => (Samples.EverythingButOne, "=backup/,team/=mirror/team/", ["team/a", "base/nginx", "sandbox/x", "mirror/team/a"], ["team/a", "base/nginx", "sandbox/x", "mirror/other", "mirror/team"]),
        // A name no rule matches keeps its name, so its grant stays.
        "rule inside a pattern" => ("team/*,base/nginx_v1.x-y", "team/=mirror/team/", ["team/app", "base/nginx_v1.x-y", "base/other"], ["base/other", "mirror/other", "mirror/team", "base/nginx"]),
        // An exact name stays exact under the empty rule's prefix.
        "exact names" => ("base/nginx,tools/*", "=backup/,tools/=t/", ["base/nginx", "base/nginx2", "tools/x"], ["base/nginx", "backup/base/nginx2", "backup/base/other", "tools/x", "backup/other", "t"]),
        // A rule to an empty prefix: granted on every name of the region (residual width, docs/deploy.md).
        "prefix stripped" => ("legacy/*,base/app", "legacy/=", ["legacy/app", "legacy/x/y", "base/app"], []),
        // One direction of a two-way mirror: every name goes under mirror/, which the selection excludes so that the
        // other stack's copies into this region are not copied back; those writes are granted in the destinations.
        "two-way mirror" => ("*,!mirror/*", "=mirror/", ["team/app", "base/nginx", "mirror/team/app"], ["team/app", "base/nginx", "other"]),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static (DeployedTemplate Stack, RepositoryFilter Filter, RepositoryMapping Mapping, string[] Regions) Deployed(string name)
    {
        var (filter, mapping, _, _) = Mapping(name);
        var stack = Samples.Mapping(filter, mapping);
        // What the function is given, parsed as the function parses it.
        var variables = stack.Properties("ReplicatorFunction")["Environment"]!["Variables"]!;
        Assert.Equal(mapping, (string)variables[RepositoryMapping.Variable]!);
        return (stack, RepositoryFilter.Parse((string)variables["REPOSITORY_FILTER"]!), RepositoryMapping.Parse((string)variables[RepositoryMapping.Variable]!), Samples.Destinations);
    }

    [Theory]
    [MemberData(nameof(Mappings))]
    public void Every_name_the_function_writes_under_a_mapping_is_granted_in_each_destination_region(string name)
    {
        var (stack, filter, mapping, regions) = Deployed(name);
        var statements = Statements(stack);
        var selected = Mapping(name).Sources.Where(filter.Matches).ToList();

        Assert.NotEmpty(selected);
        foreach (var source in selected)
        {
            var destination = mapping.Map(source);
            foreach (var region in regions)
            {
                Assert.All(WriteActions, action => Assert.True(RolePolicies.Allows(statements, action, region, destination), $"{action} on {region}/{destination} (from {source}) not granted"));
            }

            Assert.False(RolePolicies.Allows(statements, "ecr:PutImage", IntrinsicEvaluator.Region, destination), $"{destination} writable in the source region");
            Assert.False(RolePolicies.Allows(statements, "ecr:PutImage", "sa-east-1", destination), $"{destination} writable outside the destinations");
        }
    }

    [Theory]
    [MemberData(nameof(Mappings))]
    public void No_write_is_granted_on_a_name_the_function_never_writes_under_a_mapping(string name)
    {
        var (stack, filter, mapping, regions) = Deployed(name);
        var statements = Statements(stack);
        var written = Mapping(name).Sources.Where(filter.Matches).Select(mapping.Map).ToHashSet(StringComparer.Ordinal);

        foreach (var never in Mapping(name).NeverWritten)
        {
            // The probe itself must be right: the function, given these settings, never writes it.
            Assert.DoesNotContain(never, written);
            Assert.True(!filter.Matches(never) || mapping.Map(never) != never, $"{never} is written under its own name");
            foreach (var region in regions)
            {
                Assert.False(RolePolicies.Allows(statements, "ecr:PutImage", region, never), $"PutImage on {region}/{never} granted");
                Assert.False(RolePolicies.Allows(statements, "ecr:CreateRepository", region, never), $"CreateRepository on {region}/{never} granted");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Mappings))]
    public void Writes_under_a_mapping_name_this_partition_account_and_a_destination_region_in_the_arn(string name)
    {
        var (stack, _, _, regions) = Deployed(name);
        var writes = Statements(stack).Where(s => s.Effect == "Allow" && s.Actions.Contains("ecr:PutImage")).ToList();

        Assert.Equal(2 * regions.Length, writes.Count);
        Assert.All(writes.SelectMany(s => s.Resources), r =>
        {
            var fields = Arn.Fields(r);
            Assert.Equal(IntrinsicEvaluator.Partition, fields[1]);
            Assert.Contains(fields[3], regions);
            Assert.Equal(Account, fields[4]);
        });
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
        Assert.Single(own);
        Assert.All(own, d =>
        {
            Assert.True(d.RegistryId is null or Account, $"{d} is written with the function's own role in another account");
            Assert.Equal(IntrinsicEvaluator.Partition, AwsPartitions.IdOf(d.Region));
        });
        var writes = Statements(Samples.OtherDestinations).Where(s => s.Sid is "WriteDestinationRepositories" or "WriteMappedRepositories").ToList();
        Assert.Equal(2, writes.Count);
        Assert.All(writes, s => Assert.Equal(own.Select(d => d.Region).Order(StringComparer.Ordinal), s.Resources.Select(r => Arn.Fields(r)[3]).Distinct().Order(StringComparer.Ordinal)));
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

        Assert.Contains("sts:ExternalId: !Ref ExternalId", template, StringComparison.Ordinal);
        Assert.Contains("aws:ResourceAccount: !Ref \"AWS::AccountId\"", template, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:GetAuthorizationToken", template, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:DeleteRepository", template, StringComparison.Ordinal);
        Assert.DoesNotContain("Resource: \"*\"", template, StringComparison.Ordinal);
    }

    [Fact]
    public void By_default_the_destination_role_trusts_only_the_replicator_and_grants_no_delete_and_no_verify_read()
    {
        var role = DestinationRole.Role(DestinationRole.Evaluator());
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray());

        Assert.Equal([DestinationRole.ReplicatorRoleArn], Samples.Strings(trust!["Principal"]!["AWS"]));
        var actions = DestinationRole.Statements().SelectMany(s => s.Actions).ToList();
        Assert.DoesNotContain("ecr:BatchDeleteImage", actions);
        Assert.DoesNotContain("ecr:ListImageReferrers", actions);
        Assert.Equal("false", (string)StackTemplate.RawDestinationRole["Parameters"]!["AllowDeletes"]!["Default"]!);
        Assert.Equal("", (string)StackTemplate.RawDestinationRole["Parameters"]!["AdditionalTrustedPrincipals"]!["Default"]!);
    }

    /// <summary>
    /// The CLI assumes the destination role for --destination-region ACCOUNT:REGION (DestinationAccess, as the
    /// function does), so an operator's principal must be trusted too; it gets the replicator's permissions there and
    /// no more (verify reads a destination's referrers from its DescribeImages listing).
    /// </summary>
    [Fact]
    public void Additional_trusted_principals_may_assume_the_role_with_the_replicator_permissions_and_no_more()
    {
        const string Operators = "arn:aws:iam::222222222222:role/platform/operator,arn:aws:iam::333333333333:user/ci";
        var role = DestinationRole.Role(DestinationRole.Evaluator(additionalTrustedPrincipals: Operators));
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray());

        Assert.Equal([DestinationRole.ReplicatorRoleArn, .. Operators.Split(',')], Samples.Strings(trust!["Principal"]!["AWS"]));
        Assert.Equal(["sts:AssumeRole"], Samples.Strings(trust["Action"]));
        Assert.Equal(
            DestinationRole.Statements().SelectMany(s => s.Actions).Order(StringComparer.Ordinal),
            DestinationRole.Statements(additionalTrustedPrincipals: Operators).SelectMany(s => s.Actions).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A lifecycle policy can expire every image (one rule of countType sinceImagePushed, countNumber 1, action expire:
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_examples.html), so setting one is a delete.
    /// With AllowDeletes and AllowLifecyclePolicies at their defaults, and every other option on, no Allow statement of the
    /// role may delete an image either way.
    /// </summary>
    [Fact]
    public void By_default_no_statement_of_the_destination_role_deletes_images_or_sets_a_lifecycle_policy()
    {
        var parameters = StackTemplate.RawDestinationRole["Parameters"]!;
        Assert.Equal("false", (string)parameters["AllowDeletes"]!["Default"]!);
        Assert.Equal("false", (string)parameters["AllowLifecyclePolicies"]!["Default"]!);
        Assert.Equal(["true", "false"], Samples.Strings(parameters["AllowLifecyclePolicies"]!["AllowedValues"]));

        // The parameters' own defaults, not the helper's: only what the role cannot be deployed without is given.
        var evaluator = new IntrinsicEvaluator(StackTemplate.RawDestinationRole, new Dictionary<string, string>
        {
            ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2",
            ["KmsKeyArns"] = "arn:aws:kms:us-west-2:111111111111:key/k",
            ["AdditionalTrustedPrincipals"] = "arn:aws:iam::222222222222:role/operator",
        });
        var allows = DestinationRole.Role(evaluator)["Policies"]!.AsArray()
            .SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!))
            .Where(s => s.Effect == "Allow")
            .ToList();

        Assert.Contains(allows, s => s.Actions.Contains("ecr:PutImage"));
        Assert.DoesNotContain(allows, s => s.Actions.Contains("ecr:PutLifecyclePolicy"));
        Assert.DoesNotContain(allows, s => s.Actions.Contains("ecr:BatchDeleteImage"));
    }

    [Fact]
    public void AllowLifecyclePolicies_grants_PutLifecyclePolicy_on_the_named_repositories_and_nothing_more()
    {
        var without = DestinationRole.Statements();
        var with = DestinationRole.Statements(allowLifecyclePolicies: "true");

        var write = Assert.Single(with, s => s.Actions.Contains("ecr:PutLifecyclePolicy"));
        Assert.Equal("Allow", write.Effect);
        Assert.Equal("WriteReplicatedRepositories", write.Sid);
        Assert.Equal(["arn:*:ecr:*:*:repository/mirror/*"], write.Resources);
        Assert.Equal(["us-west-2", "eu-west-1"], write.ConditionValues("StringEquals", "aws:RequestedRegion"));
        Assert.DoesNotContain("ecr:BatchDeleteImage", write.Actions);
        Assert.Equal(
            without.SelectMany(s => s.Actions).Append("ecr:PutLifecyclePolicy").Order(StringComparer.Ordinal),
            with.SelectMany(s => s.Actions).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// The replicator removes one tag, its marker (RepositoryProvisioner.ProvisioningTagKey), so the role may remove that
    /// one only: ForAllValues:StringEquals on aws:TagKeys, and Null false because ForAllValues is true of a request that
    /// has no such key (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html),
    /// in the regions and the account the writes are bound to.
    /// </summary>
    [Fact]
    public void The_destination_role_may_remove_the_provisioning_marker_and_no_other_tag()
    {
        var statements = DestinationRole.Statements("arn:aws:kms:us-west-2:111111111111:key/k", "arn:aws:iam::222222222222:role/operator", "true", "true");
        var write = Assert.Single(statements, s => s.Sid == "WriteReplicatedRepositories");

        var untag = Assert.Single(statements, s => s.Actions.Contains("ecr:UntagResource"));
        Assert.Equal("Allow", untag.Effect);
        Assert.Equal(["ecr:UntagResource"], untag.Actions);
        Assert.Equal(write.Resources, untag.Resources);
        Assert.Equal([ProvisioningTagKey], untag.ConditionValues("ForAllValues:StringEquals", "aws:TagKeys"));
        Assert.Equal(["false"], untag.ConditionValues("Null", "aws:TagKeys"));
        Assert.Equal(write.ConditionValues("StringEquals", "aws:RequestedRegion"), untag.ConditionValues("StringEquals", "aws:RequestedRegion"));
        Assert.Equal([IntrinsicEvaluator.AccountId], untag.ConditionValues("StringEquals", "aws:ResourceAccount"));
        Assert.Equal(["ForAllValues:StringEquals", "Null", "StringEquals"], untag.Condition!.Select(c => c.Key).Order(StringComparer.Ordinal));
        // The marker is the key the replicator tags its repositories with and removes (ProvisioningTagTests); the
        // constant is internal to Replicator.Core, so its declaration is read.
        var provisioner = File.ReadAllText(RepositoryRoot.File("src", "Replicator.Core", "Replication", "RepositoryProvisioner.cs"));
        Assert.Contains($"public const string ProvisioningTagKey = \"{ProvisioningTagKey}\";", provisioner, StringComparison.Ordinal);
    }

    private const string ProvisioningTagKey = "ecr-replicator:provisioning";

    [Fact]
    public void AllowDeletes_grants_BatchDeleteImage_on_the_named_repositories()
    {
        var write = Assert.Single(DestinationRole.Statements(allowDeletes: "true"), s => s.Sid == "WriteReplicatedRepositories");

        Assert.Contains("ecr:BatchDeleteImage", write.Actions);
        Assert.Equal(["arn:*:ecr:*:*:repository/mirror/*"], write.Resources);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("arn:aws:iam::222222222222:role/operator", true)]
    [InlineData("arn:aws:iam::222222222222:role/path/operator,arn:aws-cn:iam::333333333333:user/ci", true)]
    [InlineData("arn:aws:iam::222222222222:role/operator,", false)]
    [InlineData("arn:aws:iam::222222222222:role/a,,arn:aws:iam::222222222222:role/b", false)]
    public void AdditionalTrustedPrincipals_refuses_an_empty_entry(string value, bool deploys)
    {
        var failed = DestinationRole.Evaluator(additionalTrustedPrincipals: value).FailedAssertions(StackTemplate.RawDestinationRole);

        Assert.Equal(deploys, failed.Count == 0);
    }

    [Theory]
    [InlineData("arn:aws:iam::222222222222:role/operator", true)]
    [InlineData("arn:aws:iam::222222222222:user/ci", true)]
    [InlineData("arn:aws:iam::222222222222:root", false)]
    [InlineData("arn:aws:iam::222222222222:group/ops", false)]
    [InlineData("222222222222", false)]
    [InlineData("*", false)]
    public void AdditionalTrustedPrincipals_takes_role_and_user_ARNs_only(string value, bool admitted)
    {
        Assert.Equal(admitted, DestinationRole.Admits("AdditionalTrustedPrincipals", value));
    }

    /// <summary>
    /// Rotating the external id: the role accepts the old and the new id while the replicator's DestinationExternalId
    /// moves from one to the other (docs/deploy.md, "Rotating the external id"). IAM ORs the values of one condition key
    /// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html).
    /// </summary>
    [Theory]
    [InlineData("replicator-7f3a", new[] { "replicator-7f3a" })]
    [InlineData("replicator-7f3a,replicator-9c1e", new[] { "replicator-7f3a", "replicator-9c1e" })]
    [InlineData("", new string[0])]
    public void The_destination_role_accepts_each_external_id_it_lists_and_requires_none_when_empty(string externalId, string[] accepted)
    {
        var role = DestinationRole.Role(DestinationRole.Evaluator(externalId: externalId));
        var trust = Assert.Single(role["AssumeRolePolicyDocument"]!["Statement"]!.AsArray())!;

        if (accepted.Length == 0)
        {
            Assert.Null(trust["Condition"]);
            return;
        }

        var condition = Assert.Single(trust["Condition"]!.AsObject());
        Assert.Equal("StringEquals", condition.Key);
        var key = Assert.Single(condition.Value!.AsObject());
        Assert.Equal("sts:ExternalId", key.Key);
        Assert.Equal(accepted, Samples.Strings(key.Value));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("replicator-7f3a", true)]
    [InlineData("replicator-7f3a,replicator-9c1e", true)]
    [InlineData("replicator-7f3a,", false)]
    [InlineData("replicator-7f3a,,replicator-9c1e", false)]
    public void ExternalId_refuses_an_empty_entry(string value, bool deploys)
    {
        var failed = DestinationRole.Evaluator(externalId: value).FailedAssertions(StackTemplate.RawDestinationRole);

        Assert.Equal(deploys, failed.Count == 0);
    }

    /// <summary>Each entry is an id STS takes (2 to 1,224 of [\w+=,.@:/-]), but for the comma that separates the entries.</summary>
    [Theory]
    [InlineData("", true)]
    [InlineData("ab", true)]
    [InlineData("tenant:42/ecr+replicator=a.b@c_d-e", true)]
    [InlineData("a", false)]
    [InlineData("with space", false)]
    [InlineData("semi;colon", false)]
    public void ExternalId_takes_entries_STS_accepts_as_an_external_id(string value, bool admitted)
    {
        Assert.Equal(admitted, DestinationRole.Admits("ExternalId", value));
    }

    [Fact]
    public void ExternalId_is_a_list_of_ids_each_bounded_by_STS_length()
    {
        Assert.True(DestinationRole.Admits("ExternalId", new string('a', 1224)));
        Assert.False(DestinationRole.Admits("ExternalId", new string('a', 1225)));
        Assert.Equal("CommaDelimitedList", (string)StackTemplate.RawDestinationRole["Parameters"]!["ExternalId"]!["Type"]!);
    }

    [Theory]
    [InlineData("replicator-7f3a")]
    [InlineData("replicator-7f3a,replicator-9c1e")]
    [InlineData("")]
    public void The_destination_role_passes_cfn_lint_with_no_one_or_two_external_ids(string externalId)
    {
        var result = DestinationRole.Lint(new Dictionary<string, string>
        {
            ["ExternalId"] = externalId,
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2",
            ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
        });

        Assert.True(result.ExitCode == 0, "cfn-lint reported problems: " + result.Describe());
    }

    [Fact]
    public void The_destination_role_passes_cfn_lint_with_operators_deletes_and_lifecycle_policies()
    {
        var result = DestinationRole.Lint(new Dictionary<string, string>
        {
            ["AdditionalTrustedPrincipals"] = "arn:aws:iam::222222222222:role/operator,arn:aws:iam::222222222222:user/ci",
            ["AllowDeletes"] = "true",
            ["AllowLifecyclePolicies"] = "true",
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2",
            ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
        });

        Assert.True(result.ExitCode == 0, "cfn-lint reported problems: " + result.Describe());
    }

    [Theory]
    [InlineData("*", true)] // every repository: RepositoryFilter=* without a mapping
    [InlineData("mirror/team/*", true)]
    [InlineData("base/nginx", true)]
    [InlineData("**", false)]
    [InlineData("*app", false)]
    [InlineData("Team/app", false)]
    [InlineData("", false)]
    public void The_destination_role_takes_every_repository_a_prefix_or_a_name(string value, bool admitted)
    {
        Assert.Equal(admitted, DestinationRole.Admits("RepositoryNames", value));
    }

    [Fact]
    public void The_destination_role_grants_every_repository_for_star_and_no_repository_policy()
    {
        var evaluator = new IntrinsicEvaluator(StackTemplate.RawDestinationRole, new Dictionary<string, string>
        {
            ["ReplicatorRoleArn"] = $"arn:aws:iam::{Account}:role/replicator",
            ["RepositoryNames"] = "*",
            ["Regions"] = "us-west-2,eu-west-1",
            ["AllowDeletes"] = "true",
            ["AllowLifecyclePolicies"] = "true",
        });
        var role = evaluator.Evaluate(StackTemplate.RawDestinationRole["Resources"]!["DestinationRole"])!["Properties"]!;
        var statements = role["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray();
        var statement = statements[0]!;
        var untag = statements[1]!;

        Assert.Equal(["arn:*:ecr:*:*:repository/*"], Samples.Strings(statement["Resource"]));
        Assert.Equal(["arn:*:ecr:*:*:repository/*"], Samples.Strings(untag["Resource"]));
        // The function never sets a repository policy in another account (NewRepositorySettings.CopiesRepositoryPolicy):
        // every other write action, and not that one; the marker's removal in a statement of its own.
        Assert.Equal(WriteActions.Where(a => a is not "ecr:SetRepositoryPolicy" and not "ecr:UntagResource").Order(StringComparer.Ordinal), Samples.Strings(statement["Action"]).Order(StringComparer.Ordinal));
        Assert.Equal(["ecr:UntagResource"], Samples.Strings(untag["Action"]));
    }

    private static List<PolicyStatement> Statements(DeployedTemplate stack) => RolePolicies.Statements(stack);
}
