using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>destination-role.yaml deployed with sample values: the statements of its role's inline policies.</summary>
internal static class DestinationRole
{
    public const string ReplicatorRoleArn = "arn:aws:iam::111111111111:role/replicator";

    public static IntrinsicEvaluator Evaluator(string kmsKeyArns = "", string additionalTrustedPrincipals = "", string allowDeletes = "false", string externalId = "", string allowLifecyclePolicies = "false", string permissionsBoundaryArn = "") =>
        new(StackTemplate.RawDestinationRole, new Dictionary<string, string>
        {
            ["ExternalId"] = externalId,
            ["ReplicatorRoleArn"] = ReplicatorRoleArn,
            ["RepositoryNames"] = "mirror/*",
            ["Regions"] = "us-west-2,eu-west-1",
            ["KmsKeyArns"] = kmsKeyArns,
            ["AdditionalTrustedPrincipals"] = additionalTrustedPrincipals,
            ["AllowDeletes"] = allowDeletes,
            ["AllowLifecyclePolicies"] = allowLifecyclePolicies,
            ["PermissionsBoundaryArn"] = permissionsBoundaryArn,
        });

    /// <summary>The role's properties as deployed with those values.</summary>
    public static JsonNode Role(IntrinsicEvaluator evaluator) =>
        evaluator.Evaluate(StackTemplate.RawDestinationRole["Resources"]!["DestinationRole"])!["Properties"]!;

    public static List<PolicyStatement> Statements(string kmsKeyArns = "", string additionalTrustedPrincipals = "", string allowDeletes = "false", string allowLifecyclePolicies = "false")
    {
        var role = Role(Evaluator(kmsKeyArns, additionalTrustedPrincipals, allowDeletes, allowLifecyclePolicies: allowLifecyclePolicies));
        return [.. role["Policies"]!.AsArray().SelectMany(p => PolicyStatement.Of((string)p!["PolicyName"]!, p["PolicyDocument"]!))];
    }

    /// <summary>Whether the parameter's AllowedPattern admits <paramref name="value"/> (one entry of a list).</summary>
    public static bool Admits(string parameter, string value) =>
        Regex.IsMatch(value, (string)StackTemplate.RawDestinationRole["Parameters"]![parameter]!["AllowedPattern"]!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>cfn-lint on the template with <paramref name="values"/> as the parameters' defaults (it lints what they unroll to).</summary>
    public static ProcessResult Lint(IReadOnlyDictionary<string, string> values)
    {
        var template = (JsonObject)StackTemplate.RawDestinationRole.DeepClone();
        foreach (var (name, value) in values)
        {
            template["Parameters"]![name]!["Default"] = value;
        }

        var path = Path.Combine(Path.GetTempPath(), $"destination-role-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, template.ToJsonString());
        try
        {
            return ProcessRunner.Run("cfn-lint", [path]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
