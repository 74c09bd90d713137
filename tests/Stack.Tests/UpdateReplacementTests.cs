using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// What a <c>sam deploy</c> of a changed parameter does to a deployed stack, judged by the resource provider schemas
/// CloudFormation updates with: a change to one of a type's <c>createOnlyProperties</c> is an update that "requires
/// replacement", a new physical resource created and the old one deleted
/// (https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html#schema-properties-createonlyproperties,
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-update-behaviors.html).
/// A replaced queue is a new empty queue (the old one is deleted with its messages), a replaced log group a new empty
/// one, a replaced rule or pipe a gap in which pushes are not caught, and a replaced function role one whose new
/// unique id no destination account's trust policy names. docs/deploy.md, "Updating the stack", tells the operator
/// what each parameter adds, removes or replaces; these tests hold the templates and that section to it.
/// </summary>
public sealed class UpdateReplacementTests
{
    private const string Section = "### Updating the stack";

    /// <summary>
    /// The resources whose replacement or removal by a parameter change would lose something an operator cannot get
    /// back from the stack: the four queues' messages (the dead-letter queues' with their reasons), the log groups'
    /// logs, the rule and the pipe (the pushes of the gap), the function and its event source mapping (the queue's
    /// consumer), and the two roles (another account's destination-role.yaml trusts the function's role by ARN, and
    /// IAM binds such a trust to the role's unique id: "Specifying a principal" in
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
    /// </summary>
    private static readonly string[] Kept =
    [
        "ReplicationQueue", "DeadLetterQueue", "IntakeQueue", "IntakeDeadLetterQueue",
        "ReplicatorLogGroup", "IntakePipeLogGroup",
        "ImageActionRule", "IntakePipe", "IntakePipeRole",
        "ReplicatorFunction", "ReplicatorFunctionReplicationQueue", "ReplicatorFunctionRole",
    ];

    /// <summary>A stack with every optional resource of the template, from which each change below is deployed.</summary>
    private static readonly Dictionary<string, string> Deployed = new(StringComparer.Ordinal)
    {
        ["RepositoryFilter"] = "team/*,base/nginx",
        ["DestinationRegions"] = "us-west-2,eu-west-1",
        ["OtherAccountDestinations"] = "222222222222:us-west-2,444444444444:eu-west-1",
        ["DestinationRoleName"] = "ecr-replicator-destination",
        ["DestinationRoleArns"] = "444444444444=arn:aws:iam::444444444444:role/platform/ecr-writer",
        ["DestinationExternalId"] = "ext-1",
        ["OtherPartitionDestinations"] = "cn-north-1",
        ["DestinationCredentials"] = "cn-north-1=ssm:/replicator/cn",
        ["RepositoryMapping"] = "team/=mirror/team/",
        ["ReplicateDeletes"] = "false",
        ["CopyLifecyclePolicies"] = "true",
        ["TagFilter"] = "v.*",
        ["MaxConcurrency"] = "10",
        ["Architecture"] = "x86_64",
        ["MaxParallelLayers"] = "4",
        ["SignatureWaitSeconds"] = "30",
        ["FunctionMemorySize"] = "1769",
        ["SubnetIds"] = "",
        ["SecurityGroupIds"] = "",
        ["ProxyUrl"] = "",
        ["NoProxy"] = "",
        ["CaBundlePath"] = "",
        ["DestinationKmsKeys"] = "us-west-2=alias/replicas",
        ["MetricsNamespace"] = "EcrReplicator",
        ["OldestMessageAlarmSeconds"] = "3600",
        ["LatencyP99AlarmSeconds"] = "900",
        ["ReplicatedEventBus"] = "replicated",
        ["AlarmEmail"] = "ops@example.com",
        ["AlarmTopicArn"] = "arn:aws:sns:us-east-1:123456789012:ops-alarms",
        ["ReconcileSchedule"] = "rate(6 hours)",
        ["PermissionsBoundaryArn"] = "",
    };

    /// <summary>Each change, the values it deploys over <see cref="Deployed"/>, and what it replaces.</summary>
    private static readonly (string Name, Dictionary<string, string> Values, string[] Replaces)[] Changes =
    [
        ("every repository", new() { ["RepositoryFilter"] = "*" }, []),
        ("every repository but one prefix", new() { ["RepositoryFilter"] = "*,!sandbox/*" }, []),
        ("every repository but two prefixes", new() { ["RepositoryFilter"] = "*,!sandbox/*,!tmp/*" }, []),
        ("a region removed and another added", new() { ["DestinationRegions"] = "us-west-2,ap-southeast-2" }, []),
        ("no region of this account", new() { ["DestinationRegions"] = "" }, []),
        ("an account added", new() { ["OtherAccountDestinations"] = "222222222222:us-west-2,444444444444:eu-west-1,555555555555:us-west-2" }, []),
        ("no other account", new() { ["OtherAccountDestinations"] = "", ["DestinationRoleArns"] = "" }, []),
        ("another role name", new() { ["DestinationRoleName"] = "service-roles/ecr-replicator-destination" }, []),
        ("another role for an account", new() { ["DestinationRoleArns"] = "444444444444=arn:aws:iam::444444444444:role/platform/ecr-writer-2" }, []),
        ("no role override", new() { ["DestinationRoleArns"] = "" }, []),
        ("another external id", new() { ["DestinationExternalId"] = "ext-2" }, []),
        ("no other partition", new() { ["OtherPartitionDestinations"] = "", ["DestinationCredentials"] = "" }, []),
        ("another credentials parameter", new() { ["DestinationCredentials"] = "cn-north-1=ssm:/replicator/cn-2" }, []),
        ("every name mapped", new() { ["RepositoryMapping"] = "=backup/" }, []),
        ("no mapping", new() { ["RepositoryMapping"] = "" }, []),
        ("deletes replicated", new() { ["ReplicateDeletes"] = "true" }, []),
        ("no lifecycle policy copied", new() { ["CopyLifecyclePolicies"] = "false" }, []),
        ("every tag", new() { ["TagFilter"] = "" }, []),
        ("more concurrency", new() { ["MaxConcurrency"] = "50" }, []),
        ("arm64", new() { ["Architecture"] = "arm64" }, []),
        ("more parallel layers", new() { ["MaxParallelLayers"] = "8" }, []),
        ("no signature wait", new() { ["SignatureWaitSeconds"] = "0" }, []),
        ("two vCPUs", new() { ["FunctionMemorySize"] = "3538" }, []),
        ("in a VPC", new() { ["SubnetIds"] = string.Join(',', Samples.VpcSubnets), ["SecurityGroupIds"] = string.Join(',', Samples.VpcSecurityGroups) }, []),
        ("behind a proxy", new() { ["ProxyUrl"] = Samples.ProxyUrl, ["NoProxy"] = Samples.NoProxy, ["CaBundlePath"] = Samples.CaBundlePath }, []),
        ("another key", new() { ["DestinationKmsKeys"] = "us-west-2=alias/other" }, []),
        ("no key", new() { ["DestinationKmsKeys"] = "" }, []),
        ("another namespace", new() { ["MetricsNamespace"] = "EcrReplicator/team-a" }, []),
        ("another age threshold", new() { ["OldestMessageAlarmSeconds"] = "7200" }, []),
        ("another latency threshold", new() { ["LatencyP99AlarmSeconds"] = "600" }, []),
        ("another event bus", new() { ["ReplicatedEventBus"] = "arn:aws:events:us-east-1:123456789012:event-bus/other" }, []),
        ("no replicated events", new() { ["ReplicatedEventBus"] = "" }, []),
        // SNS Subscription: Endpoint is create-only, so another address is a new subscription to confirm.
        ("another alarm email", new() { ["AlarmEmail"] = "oncall@example.com" }, ["AlarmEmailSubscription"]),
        ("no alarm email", new() { ["AlarmEmail"] = "" }, []),
        ("no alarm topic", new() { ["AlarmTopicArn"] = "" }, []),
        ("another schedule", new() { ["ReconcileSchedule"] = "cron(0 3 * * ? *)" }, []),
        ("no reconciling", new() { ["ReconcileSchedule"] = "" }, []),
        ("a permissions boundary", new() { ["PermissionsBoundaryArn"] = Samples.PermissionsBoundaryArn }, []),
    ];

    private static readonly Lazy<IReadOnlyList<Outcome>> Outcomes = new(() => Compare(
        "template.yaml",
        Deployed,
        [.. Changes.Select(c => (c.Name, c.Values))]));

    /// <summary>destination-role.yaml as deployed in a destination account, and its changes.</summary>
    private static readonly Dictionary<string, string> DeployedRole = new(StringComparer.Ordinal)
    {
        ["ReplicatorRoleArn"] = DestinationRole.ReplicatorRoleArn,
        ["RoleName"] = "ecr-replicator-destination",
        ["RolePath"] = "/",
        ["ExternalId"] = "old-id",
        ["RepositoryNames"] = "mirror/*",
        ["Regions"] = "us-west-2,eu-west-1",
        ["KmsKeyArns"] = "",
        ["AdditionalTrustedPrincipals"] = "",
        ["AllowDeletes"] = "false",
        ["AllowLifecyclePolicies"] = "false",
        ["PermissionsBoundaryArn"] = "",
    };

    private static readonly (string Name, Dictionary<string, string> Values, string[] Replaces)[] RoleChanges =
    [
        ("another replicator", new() { ["ReplicatorRoleArn"] = "arn:aws:iam::111111111111:role/replicator-2" }, []),
        // AWS::IAM::Role: RoleName and Path are create-only.
        ("another name", new() { ["RoleName"] = "ecr-replicator-writer" }, ["DestinationRole"]),
        ("another path", new() { ["RolePath"] = "/service-roles/" }, ["DestinationRole"]),
        ("another path and name", new() { ["RolePath"] = "/service-roles/", ["RoleName"] = "ecr-replicator-writer" }, ["DestinationRole"]),
        ("a second external id", new() { ["ExternalId"] = "old-id,new-id" }, []),
        ("every repository", new() { ["RepositoryNames"] = "*" }, []),
        ("a region added", new() { ["Regions"] = "us-west-2,eu-west-1,ap-southeast-2" }, []),
        ("a key", new() { ["KmsKeyArns"] = "arn:aws:kms:us-west-2:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, []),
        ("an operator", new() { ["AdditionalTrustedPrincipals"] = "arn:aws:iam::111111111111:role/platform-operator" }, []),
        ("deletes allowed", new() { ["AllowDeletes"] = "true" }, []),
        ("lifecycle policies allowed", new() { ["AllowLifecyclePolicies"] = "true" }, []),
        ("a permissions boundary", new() { ["PermissionsBoundaryArn"] = "arn:aws:iam::222222222222:policy/boundaries/Replicator" }, []),
    ];

    private static readonly Lazy<IReadOnlyList<Outcome>> RoleOutcomes = new(() => Compare(
        "destination-role.yaml",
        DeployedRole,
        [.. RoleChanges.Select(c => (c.Name, c.Values))]));

    [Fact]
    public void Every_parameter_of_both_templates_is_changed_by_some_case()
    {
        Assert.Empty(StackTemplate.Raw["Parameters"]!.AsObject().Select(p => p.Key)
            .Except(Changes.SelectMany(c => c.Values.Keys), StringComparer.Ordinal));
        Assert.Empty(StackTemplate.RawDestinationRole["Parameters"]!.AsObject().Select(p => p.Key)
            .Except(RoleChanges.SelectMany(c => c.Values.Keys), StringComparer.Ordinal));
    }

    [Fact]
    public void Only_another_alarm_email_replaces_a_resource_of_the_stack()
    {
        foreach (var (outcome, change) in Outcomes.Value.Zip(Changes))
        {
            Assert.True(
                outcome.Replaced.SetEquals(change.Replaces),
                $"{change.Name} ({Describe(change.Values)}) replaces [{string.Join(", ", outcome.Replaced)}], expected [{string.Join(", ", change.Replaces)}]");
        }
    }

    /// <summary>
    /// No parameter change replaces or removes a queue, a log group, the rule, the pipe, the function or a role: their
    /// create-only properties (a queue's FifoQueue and QueueName, a log group's LogGroupName, a rule's Name, a pipe's
    /// Name and Source, a role's RoleName and Path, a function's FunctionName, a mapping's EventSourceArn) take no
    /// parameter, and no condition a parameter sets leaves them out. The reconcile cursor is removed only when
    /// reconciling is turned off, which is what that costs (a new pass when it is turned on again).
    /// </summary>
    [Fact]
    public void No_parameter_change_replaces_or_removes_a_queue_a_log_group_the_intake_or_the_function()
    {
        foreach (var (outcome, change) in Outcomes.Value.Zip(Changes))
        {
            var lost = outcome.Replaced.Concat(outcome.Removed).Intersect(Kept, StringComparer.Ordinal).ToList();
            Assert.True(lost.Count == 0, $"{change.Name} ({Describe(change.Values)}) replaces or removes {string.Join(", ", lost)}");
            var cursor = outcome.Replaced.Concat(outcome.Removed).Contains("ReconcileCursor", StringComparer.Ordinal);
            Assert.True(cursor == (change.Values.GetValueOrDefault("ReconcileSchedule") == ""), $"{change.Name}: the reconcile cursor is {(cursor ? "" : "not ")}replaced or removed");
        }

        // The cases do remove resources, so the check above can see a removal.
        Assert.Contains(Outcomes.Value, o => o.Removed.Contains("ReconcileCursor", StringComparer.Ordinal));
        Assert.Contains(Outcomes.Value, o => o.Removed.Contains("AlarmTopic", StringComparer.Ordinal));
    }

    /// <summary>
    /// docs/deploy.md, "Updating the stack", has a row for every parameter whose change adds, removes or replaces a
    /// resource, and the row names each of those resources: by its logical id, or for one a Fn::ForEach makes per entry
    /// by its id's fixed part (`LatencyAlarm` for LatencyAlarmuswest2).
    /// </summary>
    [Fact]
    public void The_update_section_names_what_each_parameter_adds_removes_or_replaces()
    {
        var rows = SectionRows();
        var perEntry = ForEachPrefixes(StackTemplate.Raw);
        var fixedIds = StackTemplate.Raw["Resources"]!.AsObject().Select(r => r.Key).Where(k => !k.StartsWith("Fn::ForEach::", StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        var named = 0;
        foreach (var (outcome, change) in Outcomes.Value.Zip(Changes))
        {
            var touched = outcome.Replaced.Concat(outcome.Added).Concat(outcome.Removed).Where(id => !Kept.Contains(id));
            foreach (var id in touched)
            {
                // SAM's resources follow their function's (ReplicatorFunctionEventInvokeConfig), none of them changes here.
                var name = fixedIds.Contains(id) ? id : perEntry.First(p => id.StartsWith(p, StringComparison.Ordinal));
                Assert.True(
                    change.Values.Keys.Any(p => rows.TryGetValue(p, out var row) && row.Contains($"`{name}", StringComparison.Ordinal)),
                    $"{change.Name} ({Describe(change.Values)}) adds, removes or replaces {id}, and no row of \"{Section}\" for {string.Join(" or ", change.Values.Keys)} names `{name}`");
                named++;
            }
        }

        Assert.True(named > 10, "the changes touch almost nothing: the comparison is broken");
        Assert.Contains("`AlarmEmailSubscription`", rows["AlarmEmail"], StringComparison.Ordinal);
        Assert.Contains("replace", rows["AlarmEmail"], StringComparison.Ordinal);
    }

    /// <summary>
    /// The destination role's RoleName and RolePath are its create-only RoleName and Path: either replaces the role,
    /// and a new path under the same name is a replacement of a custom-named resource, which CloudFormation refuses
    /// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html). The section
    /// says so, and gives the order that keeps the replicator's AssumeRole working meanwhile.
    /// </summary>
    [Fact]
    public void Only_the_name_and_path_replace_the_destination_role_and_the_section_says_how_to_move_it()
    {
        foreach (var (outcome, change) in RoleOutcomes.Value.Zip(RoleChanges))
        {
            Assert.True(
                outcome.Replaced.SetEquals(change.Replaces),
                $"destination-role.yaml, {change.Name}: replaces [{string.Join(", ", outcome.Replaced)}], expected [{string.Join(", ", change.Replaces)}]");
            Assert.Empty(outcome.Added);
            Assert.Empty(outcome.Removed);
        }

        // A path alone keeps the name: the replacement CloudFormation refuses.
        var pathOnly = RoleOutcomes.Value[Array.FindIndex(RoleChanges, c => c.Name == "another path")];
        Assert.Equal(pathOnly.Before.Properties("DestinationRole")["RoleName"]!.ToJsonString(), pathOnly.After.Properties("DestinationRole")["RoleName"]!.ToJsonString());

        var rows = SectionRows();
        Assert.True(rows.TryGetValue("RoleName", out var row), $"\"{Section}\" has no row for destination-role.yaml's RoleName");
        Assert.Contains("`RolePath`", row, StringComparison.Ordinal);
        Assert.Contains("second stack", row, StringComparison.Ordinal);
        Assert.Contains("#moving-the-destination-role", row, StringComparison.Ordinal);
    }

    /// <summary>
    /// An upgrade to a new release replaces what the release renames (a new logical id is a new resource, the old id's
    /// resource is deleted) or whose create-only properties it changes. No release so far did either to a queue (the
    /// git history of template.yaml: FifoQueue true on the two FIFO queues, no QueueName, the same logical ids since
    /// each was added); these pin it, so that a change that would replace a queue, and delete its messages, fails
    /// here and is made knowingly (with an upgrade note in "Updating the stack").
    /// </summary>
    [Fact]
    public void The_kept_resources_keep_their_logical_ids_and_their_create_only_properties()
    {
        var resources = StackTemplate.Raw["Resources"]!.AsObject();
        // As written: SAM's function is checked as the AWS::Lambda::Function it becomes, and its event source mapping
        // through the event that names it (ReplicatorFunction + the event's name ReplicationQueue).
        var pinned = new Dictionary<string, (string Type, string CreateOnly)>(StringComparer.Ordinal)
        {
            ["ReplicationQueue"] = ("AWS::SQS::Queue", """{"FifoQueue":true}"""),
            ["DeadLetterQueue"] = ("AWS::SQS::Queue", """{"FifoQueue":true}"""),
            ["IntakeQueue"] = ("AWS::SQS::Queue", "{}"),
            ["IntakeDeadLetterQueue"] = ("AWS::SQS::Queue", "{}"),
            ["ReplicatorLogGroup"] = ("AWS::Logs::LogGroup", """{"LogGroupName":{"Fn::Sub":"/aws/lambda/${AWS::StackName}-replicator"}}"""),
            ["IntakePipeLogGroup"] = ("AWS::Logs::LogGroup", """{"LogGroupName":{"Fn::Sub":"/aws/vendedlogs/pipes/${AWS::StackName}-intake"}}"""),
            ["ImageActionRule"] = ("AWS::Events::Rule", "{}"),
            ["IntakePipe"] = ("AWS::Pipes::Pipe", """{"Source":{"Fn::GetAtt":["IntakeQueue","Arn"]}}"""),
            ["IntakePipeRole"] = ("AWS::IAM::Role", "{}"),
            ["ReplicatorFunctionRole"] = ("AWS::IAM::Role", "{}"),
            ["ReplicatorFunction"] = ("AWS::Serverless::Function", "{}"),
            ["ReconcileCursor"] = ("AWS::SSM::Parameter", """{"Name":{"Fn::Sub":"/ecr-replicator/${AWS::StackName}/reconcile-cursor"}}"""),
        };
        var types = pinned.Values.Select(p => p.Type == "AWS::Serverless::Function" ? "AWS::Lambda::Function" : p.Type).Distinct().Append("AWS::Lambda::EventSourceMapping");
        var createOnly = CreateOnlyProperties(types);

        foreach (var (id, (type, expected)) in pinned)
        {
            Assert.True(resources[id] is JsonObject, $"template.yaml has no {id}: an upgrade deletes the deployed one");
            var resource = resources[id]!.AsObject();
            Assert.Equal(type, (string?)resource["Type"]);
            var schemaType = type == "AWS::Serverless::Function" ? "AWS::Lambda::Function" : type;
            var actual = new JsonObject();
            foreach (var path in createOnly[schemaType])
            {
                if (At(resource["Properties"], path) is { } value)
                {
                    actual[path] = value.DeepClone();
                }
            }

            Assert.True(
                JsonNode.DeepEquals(JsonNode.Parse(expected), actual),
                $"{id}'s create-only properties are {actual.ToJsonString()}, deployed stacks have {expected}: an upgrade would replace it");
        }

        // The function's queue event: its logical id (ReplicatorFunctionReplicationQueue) and EventSourceArn, create-only.
        var queueEvent = resources["ReplicatorFunction"]!["Properties"]!["Events"]!["ReplicationQueue"];
        Assert.True(queueEvent is not null, "ReplicatorFunction's SQS event is no longer named ReplicationQueue: an upgrade replaces the event source mapping");
        Assert.Equal("""{"Fn::GetAtt":["ReplicationQueue","Arn"]}""", queueEvent!["Properties"]!["Queue"]!.ToJsonString());
        Assert.Contains("EventSourceArn", createOnly["AWS::Lambda::EventSourceMapping"]);
    }

    /// <summary>The pin above can fail: a QueueName added to the replication queue is a create-only change.</summary>
    [Fact]
    public void A_queue_name_is_a_create_only_change()
    {
        var createOnly = CreateOnlyProperties(["AWS::SQS::Queue"]);
        Assert.Equal(new[] { "FifoQueue", "QueueName" }, createOnly["AWS::SQS::Queue"].Order(StringComparer.Ordinal));

        var before = Outcomes.Value[0].Before;
        var renamed = (JsonObject)before.Resources.DeepClone();
        renamed["ReplicationQueue"]!["Properties"]!["QueueName"] = "teststack-replication.fifo";
        var after = new DeployedTemplate(renamed, before.Evaluator, before.Transformed);

        var replaced = Replaced(before, after, CreateOnlyProperties(TypesOf(before, after)));

        // The queue, and what names it in a create-only property: the function's event source mapping.
        Assert.Contains("ReplicationQueue", replaced);
        Assert.Contains("ReplicatorFunctionReplicationQueue", replaced);
        Assert.DoesNotContain("DeadLetterQueue", replaced);
    }

    private sealed record Outcome(DeployedTemplate Before, DeployedTemplate After, SortedSet<string> Replaced, SortedSet<string> Added, SortedSet<string> Removed);

    private static List<Outcome> Compare(string file, Dictionary<string, string> deployed, IReadOnlyList<(string Name, Dictionary<string, string> Values)> changes)
    {
        var sets = new List<IReadOnlyDictionary<string, string>> { deployed };
        foreach (var (_, values) in changes)
        {
            var set = new Dictionary<string, string>(deployed, StringComparer.Ordinal);
            foreach (var (name, value) in values)
            {
                set[name] = value;
            }

            sets.Add(set);
        }

        var stacks = StackTemplate.ExpandMany(sets, file);
        var before = stacks[0];
        var createOnly = CreateOnlyProperties(stacks.SelectMany(s => s.Resources.Select(r => (string)r.Value!["Type"]!)).Distinct());
        var outcomes = new List<Outcome>();
        for (var i = 0; i < changes.Count; i++)
        {
            var after = stacks[i + 1];
            // Each case is one CloudFormation would run: no rule of the template refuses it.
            Assert.True(after.Evaluator.FailedAssertions(after.Transformed).Count == 0, $"{file}, {changes[i].Name}: a template rule refuses it: {string.Join("; ", after.Evaluator.FailedAssertions(after.Transformed))}");
            outcomes.Add(new Outcome(
                before,
                after,
                Replaced(before, after, createOnly),
                new SortedSet<string>(after.Resources.Select(r => r.Key).Except(before.Resources.Select(r => r.Key)), StringComparer.Ordinal),
                new SortedSet<string>(before.Resources.Select(r => r.Key).Except(after.Resources.Select(r => r.Key)), StringComparer.Ordinal)));
        }

        return outcomes;
    }

    /// <summary>
    /// The resources of both stacks that an update from <paramref name="before"/> to <paramref name="after"/> replaces:
    /// a create-only property with another value, or naming (Ref, GetAtt) a resource that is replaced, whose new physical
    /// id or ARN it then takes.
    /// </summary>
    private static SortedSet<string> Replaced(DeployedTemplate before, DeployedTemplate after, IReadOnlyDictionary<string, string[]> createOnly)
    {
        var replaced = new SortedSet<string>(StringComparer.Ordinal);
        bool grew;
        do
        {
            grew = false;
            foreach (var (id, resource) in before.Resources)
            {
                if (replaced.Contains(id) || after.Resources[id] is not JsonObject next)
                {
                    continue;
                }

                var type = (string)resource!["Type"]!;
                var changed = type != (string?)next["Type"] || createOnly[type].Any(path =>
                {
                    var (was, now) = (At(resource["Properties"], path), At(next["Properties"], path));
                    return !JsonNode.DeepEquals(was, now) || Names(now, replaced);
                });
                if (changed)
                {
                    replaced.Add(id);
                    grew = true;
                }
            }
        }
        while (grew);

        return replaced;
    }

    /// <summary>Whether <paramref name="node"/> holds the evaluator's symbolic Ref or GetAtt of one of <paramref name="ids"/>.</summary>
    private static bool Names(JsonNode? node, IReadOnlySet<string> ids) => node switch
    {
        JsonArray array => array.Any(n => Names(n, ids)),
        JsonObject obj => obj.Any(p => Names(p.Value, ids)),
        JsonValue value when value.TryGetValue<string>(out var text) =>
            ids.Any(id => text.Contains($"{{Ref:{id}}}", StringComparison.Ordinal) || text.Contains($"{{GetAtt:{id}.", StringComparison.Ordinal)),
        _ => false,
    };

    private static JsonNode? At(JsonNode? properties, string path)
    {
        var node = properties;
        foreach (var part in path.Split('/'))
        {
            node = node is JsonObject obj ? obj[part] : null;
        }

        return node;
    }

    private static IEnumerable<string> TypesOf(params DeployedTemplate[] stacks) =>
        stacks.SelectMany(s => s.Resources.Select(r => (string)r.Value!["Type"]!)).Distinct();

    private static Dictionary<string, string[]> CreateOnlyProperties(IEnumerable<string> types)
    {
        var result = ProcessRunner.Run("python3", [RepositoryRoot.File("tests", "Stack.Tests", "tools", "create_only_properties.py"), .. types]);
        Assert.True(result.ExitCode == 0, "reading cfn-lint's resource schemas failed: " + result.Describe());
        return JsonNode.Parse(result.StandardOutput)!.AsObject()
            .ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(v => (string)v!).ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The fixed part of each Fn::ForEach logical id, longest first (what precedes its &amp;{...}).</summary>
    private static List<string> ForEachPrefixes(JsonObject raw) =>
    [
        .. raw["Resources"]!.AsObject()
            .Where(r => r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal))
            .SelectMany(r => r.Value!.AsArray()[2]!.AsObject().Select(t => t.Key[..t.Key.IndexOf("&{", StringComparison.Ordinal)]))
            .OrderByDescending(p => p.Length),
    ];

    /// <summary>The section's table: the parameter of each row (its first cell, in code spans) to the whole row.</summary>
    private static Dictionary<string, string> SectionRows()
    {
        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var start = deploy.IndexOf("\n" + Section + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/deploy.md has no \"{Section}\" section");
        var end = deploy.IndexOf("\n#", start + Section.Length + 2, StringComparison.Ordinal);
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in deploy[start..end].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var first = line.Split('|', StringSplitOptions.TrimEntries)[1];
            foreach (var parameter in System.Text.RegularExpressions.Regex.Matches(first, "`([A-Za-z]+)`").Select(m => m.Groups[1].Value))
            {
                rows[parameter] = rows.TryGetValue(parameter, out var earlier) ? earlier + "\n" + line : line;
            }
        }

        return rows;
    }

    private static string Describe(Dictionary<string, string> values) => string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"));
}
