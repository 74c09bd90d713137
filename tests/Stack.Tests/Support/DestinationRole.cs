namespace Stack.Tests.Support;

/// <summary>destination-role.yaml deployed with sample values: the statements of its role's inline policies.</summary>
internal static class DestinationRole
{
    public static IntrinsicEvaluator Evaluator(string kmsKeyArns = "") =>
        new(StackTemplate.RawDestinationRole, new Dictionary<string, string>
        {
            ["ReplicatorRoleArn"] = "arn:aws:iam::111111111111:role/replicator",
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2,eu-west-1",
            ["KmsKeyArns"] = kmsKeyArns,
        });

    public static List<PolicyStatement> Statements(string kmsKeyArns = "")
    {
        var evaluator = Evaluator(kmsKeyArns);
        var role = evaluator.Evaluate(StackTemplate.RawDestinationRole["Resources"]!["DestinationRole"])!["Properties"]!;
        return [.. role["Policies"]!.AsArray().SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!))];
    }
}
