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

    /// <summary>
    /// IAM evaluation for one request on a repository of the stack's own account: some Allow matches and no Deny
    /// does (the policy evaluation logic of the IAM user guide, for identity policies of one account).
    /// </summary>
    public static bool Allows(IEnumerable<PolicyStatement> statements, string action, string region, string repository)
    {
        var arn = $"arn:{IntrinsicEvaluator.Partition}:ecr:{region}:{IntrinsicEvaluator.AccountId}:repository/{repository}";
        bool Applies(PolicyStatement s) =>
            s.Actions.Contains(action) &&
            s.Resources.Any(r => Arn.Matches(r, arn)) &&
            s.ConditionValues("StringEquals", "aws:RequestedRegion") is var requested &&
            (requested.Count == 0 || requested.Contains(region)) &&
            s.ConditionValues("StringEquals", "aws:ResourceAccount") is var account &&
            (account.Count == 0 || account.Contains(IntrinsicEvaluator.AccountId));
        var list = statements.ToList();
        return list.Any(s => s.Effect == "Allow" && Applies(s)) && !list.Any(s => s.Effect == "Deny" && Applies(s));
    }
}
