using System.Text.Json.Nodes;
using Stack.Tests.Support;

namespace Stack.Tests;

/// <summary>
/// docs/deploy.md, "Limits of the stack": the policies <c>Fn::ForEach</c> makes on the function's role cannot be named
/// in a <c>DependsOn</c> (their logical ids follow the parameter values, under a condition), so CloudFormation changes
/// them beside the function, and the documents must name every parameter whose change opens that window.
/// </summary>
public sealed class UpdateWindowTests
{
    private const string BulletStart = "- The destination policies are not ordered before the function.";

    [Fact]
    public void The_update_window_names_every_parameter_a_policy_made_by_ForEach_reads()
    {
        var raw = StackTemplate.Raw;
        var parameters = raw["Parameters"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var conditions = raw["Conditions"]!.AsObject();
        var read = new SortedSet<string>(StringComparer.Ordinal);
        var policies = 0;
        foreach (var (name, loop) in raw["Resources"]!.AsObject().Where(r => r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal)))
        {
            foreach (var (_, resource) in loop!.AsArray()[2]!.AsObject())
            {
                if ((string?)resource!["Type"] is not ("AWS::IAM::ManagedPolicy" or "AWS::IAM::RolePolicy"))
                {
                    continue;
                }

                var properties = resource["Properties"]!;
                var role = properties["RoleName"] ?? properties["Roles"]![0];
                Assert.True((string?)role!["Ref"] == "ReplicatorFunctionRole", $"{name} is not on the function's role");
                policies++;
                // The loop's collection included: an entry added is a new policy.
                Collect(loop, parameters, conditions, read);
            }
        }

        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var start = deploy.IndexOf(BulletStart, StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/deploy.md, \"Limits of the stack\", has no bullet on the policies made beside the function");
        var end = deploy.IndexOf("\n- ", start + BulletStart.Length, StringComparison.Ordinal);
        var bullet = deploy[start..end];

        Assert.Equal(4, policies);
        // The write policy's grants follow the selection, the mapping, deletes and the KMS keys, not only the regions.
        Assert.Superset(new SortedSet<string>(["DestinationRegions", "RepositoryFilter", "RepositoryMapping", "ReplicateDeletes", "DestinationKmsKeys", "OtherAccountDestinations", "DestinationRoleArns", "DestinationCredentials"], StringComparer.Ordinal), read);
        Assert.All(read, parameter => Assert.True(bullet.Contains($"`{parameter}`", StringComparison.Ordinal), $"the bullet does not name {parameter}"));
        // Narrowing lands first on the role itself, and the alarm and the redrive are what the operator does.
        Assert.Contains("`DenyExcludedRepositories`", bullet, StringComparison.Ordinal);
        Assert.Contains("`DeadLetterQueueSentAlarm`", bullet, StringComparison.Ordinal);
        Assert.Contains("redrive", bullet, StringComparison.Ordinal);
    }

    /// <summary>
    /// A policy made per entry that denies something (DestinationRoleArns' Deny of DestinationRoleName's role) outlives
    /// its entry: CloudFormation deletes a resource taken out of the template in the update's cleanup phase, after the
    /// function was updated (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-monitor-stack.html),
    /// so the updated function meets the old Deny. Removing such an entry opens the window too, and the bullet must say so.
    /// </summary>
    /// <summary>
    /// The destination policies' Deny of ecr:UntagResource for any key but the provisioning marker refuses nothing the
    /// function calls (it removes only the marker), so outliving its entry opens no window.
    /// </summary>
    private static bool GuardsTheMarker(JsonObject statement) =>
        (string?)statement["Action"] == "ecr:UntagResource"
        && (string?)statement["Condition"]?["ForAnyValue:StringNotEquals"]?["aws:TagKeys"] == "ecr-replicator:provisioning";

    [Fact]
    public void The_update_window_names_the_removal_of_an_entry_whose_policy_denies()
    {
        var raw = StackTemplate.Raw;
        var denying = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, loop) in raw["Resources"]!.AsObject().Where(r => r.Key.StartsWith("Fn::ForEach::", StringComparison.Ordinal)))
        {
            var collection = loop!.AsArray()[1]!;
            foreach (var (_, resource) in loop.AsArray()[2]!.AsObject())
            {
                if ((string?)resource!["Type"] is "AWS::IAM::RolePolicy" or "AWS::IAM::ManagedPolicy"
                    && resource["Properties"]!["PolicyDocument"]!["Statement"]!.AsArray().Any(st => st is JsonObject o && (string?)o["Effect"] == "Deny" && !GuardsTheMarker(o)))
                {
                    denying.Add((string)collection["Ref"]!);
                }
            }
        }

        var deploy = File.ReadAllText(RepositoryRoot.File("docs", "deploy.md"));
        var start = deploy.IndexOf(BulletStart, StringComparison.Ordinal);
        var bullet = deploy[start..deploy.IndexOf("\n- ", start + BulletStart.Length, StringComparison.Ordinal)];

        Assert.Equal(["DestinationRoleArns"], denying);
        Assert.All(denying, parameter => Assert.True(
            bullet.Contains($"an entry removed from `{parameter}`", StringComparison.Ordinal),
            $"the bullet does not say that removing an entry of {parameter} opens the window (its policy's Deny outlives the entry)"));
    }

    /// <summary>Every parameter <paramref name="node"/> reads: by Ref, inside a Fn::Sub string, or through a condition.</summary>
    private static void Collect(JsonNode? node, HashSet<string> parameters, JsonObject conditions, SortedSet<string> read)
    {
        switch (node)
        {
            case JsonArray array:
                foreach (var item in array)
                {
                    Collect(item, parameters, conditions, read);
                }

                break;
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    if (key is "Ref" && parameters.Contains((string)value!))
                    {
                        read.Add((string)value!);
                    }
                    else if (key is "Condition" && value is JsonValue)
                    {
                        Collect(conditions[(string)value!], parameters, conditions, read);
                    }
                    else if (key is "Fn::If")
                    {
                        Collect(conditions[(string)value![0]!], parameters, conditions, read);
                    }

                    Collect(value, parameters, conditions, read);
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                foreach (var parameter in parameters.Where(p => text.Contains("${" + p + "}", StringComparison.Ordinal)))
                {
                    read.Add(parameter);
                }

                break;
        }
    }
}
