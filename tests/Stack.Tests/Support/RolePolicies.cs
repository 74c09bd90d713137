namespace Stack.Tests.Support;

/// <summary>The identity policies of the function's role in an expanded stack, and IAM's verdict on one request.</summary>
internal static class RolePolicies
{
    /// <summary>Every statement of the role: its inline policies, and the stack's role and managed policies.</summary>
    public static List<PolicyStatement> Statements(DeployedTemplate stack)
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

    /// <summary>The one tag key the function removes (RepositoryProvisioner.ProvisioningTagKey).</summary>
    public const string ProvisioningTagKey = "ecr-replicator:provisioning";

    /// <summary>
    /// IAM evaluation for one request on a repository of the stack's own account: some Allow matches and no Deny
    /// does (the policy evaluation logic of the IAM user guide, for identity policies of one account).
    /// <paramref name="tagKeys"/> is the request's aws:TagKeys; null is the request the function makes: the marker for
    /// ecr:UntagResource, no key otherwise. A condition this evaluator does not know fails the test rather than being
    /// read as met.
    /// </summary>
    public static bool Allows(IEnumerable<PolicyStatement> statements, string action, string region, string repository, IReadOnlyList<string>? tagKeys = null)
    {
        var arn = $"arn:{IntrinsicEvaluator.Partition}:ecr:{region}:{IntrinsicEvaluator.AccountId}:repository/{repository}";
        tagKeys ??= action == "ecr:UntagResource" ? [ProvisioningTagKey] : null;
        bool Applies(PolicyStatement s) =>
            s.Actions.Contains(action) &&
            s.Resources.Any(r => Arn.Matches(r, arn)) &&
            ConditionsMet(s, region, tagKeys);
        var list = statements.ToList();
        return list.Any(s => s.Effect == "Allow" && Applies(s)) && !list.Any(s => s.Effect == "Deny" && Applies(s));
    }

    private static bool ConditionsMet(PolicyStatement s, string region, IReadOnlyList<string>? tagKeys)
    {
        foreach (var (op, keys) in s.Condition ?? [])
        {
            foreach (var key in keys!.AsObject().Select(k => k.Key))
            {
                var values = s.ConditionValues(op, key);
                var met = (op, key) switch
                {
                    ("StringEquals", "aws:RequestedRegion") => values.Contains(region),
                    ("StringEquals", "aws:ResourceAccount") => values.Contains(IntrinsicEvaluator.AccountId),
                    // Multivalued: true when some key of the request is none of the values (false without the key).
                    ("ForAnyValue:StringNotEquals", "aws:TagKeys") => tagKeys is not null && tagKeys.Any(k => !values.Contains(k)),
                    // True when every key of the request is one of the values (true without the key).
                    ("ForAllValues:StringEquals", "aws:TagKeys") => tagKeys is null || tagKeys.All(values.Contains),
                    ("Null", "aws:TagKeys") => values.SequenceEqual(["true"]) == (tagKeys is null),
                    _ => throw new InvalidOperationException($"{s.Policy}/{s.Sid}: condition {op} {key} is not evaluated here"),
                };
                if (!met)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
