using System.Text.Json.Nodes;

namespace Stack.Tests.Support;

/// <summary>template.yaml as JSON: as written, and as deployed for a sample set of parameter values.</summary>
internal static class StackTemplate
{
    private static readonly Lazy<JsonObject> RawTemplate = new(() => Load([]));

    private static readonly Lazy<JsonObject> RawDestinationRoleTemplate = new(() => Load([], "destination-role.yaml"));

    /// <summary>destination-role.yaml as written.</summary>
    public static JsonObject RawDestinationRole => RawDestinationRoleTemplate.Value;

    /// <summary>The template as written (Fn::ForEach and SAM resources not expanded).</summary>
    public static JsonObject Raw => RawTemplate.Value;

    public static string ToolPath => RepositoryRoot.File("tests", "Stack.Tests", "tools", "template_json.py");

    /// <summary>
    /// The template after AWS::LanguageExtensions and the SAM transform (as cfn-lint performs them) for the
    /// given parameter values, with intrinsics resolved and resources of false conditions removed, as deployed in
    /// <paramref name="region"/>.
    /// </summary>
    public static DeployedTemplate Expand(IReadOnlyDictionary<string, string> parameters, string region = IntrinsicEvaluator.Region) =>
        Deploy(Load(parameters.Select(p => $"{p.Key}={p.Value}")), parameters, region);

    /// <summary>
    /// <see cref="Expand"/> for each parameter set, in one python process (decoding the template and importing cfn-lint
    /// once: about 0.6 s a set instead of 5), in the same order.
    /// </summary>
    public static IReadOnlyList<DeployedTemplate> ExpandMany(IReadOnlyList<IReadOnlyDictionary<string, string>> parameterSets, string file = "template.yaml")
    {
        var sets = new JsonArray([.. parameterSets.Select(set => (JsonNode)new JsonObject(set.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))))]);
        var path = Path.Combine(Path.GetTempPath(), $"stack-tests-sets-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, sets.ToJsonString());
        try
        {
            var result = ProcessRunner.Run("python3", [ToolPath, RepositoryRoot.File(file), "--batch", path]);
            Assert.True(result.ExitCode == 0, $"expanding {file} for {parameterSets.Count} parameter sets failed: " + result.Describe());
            var expanded = JsonNode.Parse(result.StandardOutput)!.AsArray();
            return [.. expanded.Select((template, i) => Deploy(template!.AsObject(), parameterSets[i], IntrinsicEvaluator.Region))];
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static DeployedTemplate Deploy(JsonObject expanded, IReadOnlyDictionary<string, string> parameters, string region)
    {
        var evaluator = new IntrinsicEvaluator(expanded, parameters, region);
        var resources = new JsonObject();
        foreach (var (id, resource) in expanded["Resources"]!.AsObject())
        {
            // Every resource is evaluated, the ones a false condition leaves out too: AWS::LanguageExtensions
            // resolves Fn::Select (among others) before conditions apply, so a Fn::Select past the end of a list fails
            // the whole change set even in a resource that would not be created
            // (https://github.com/aws-cloudformation/cfn-language-discussion/issues/159).
            var evaluated = evaluator.Evaluate(resource);
            var condition = (string?)resource!["Condition"];
            if (condition is null || evaluator.Condition(condition))
            {
                resources[id] = evaluated;
            }
        }

        return new DeployedTemplate(resources, evaluator, expanded);
    }

    private static JsonObject Load(IEnumerable<string> parameterArguments, string file = "template.yaml")
    {
        var result = ProcessRunner.Run("python3", [ToolPath, RepositoryRoot.File(file), .. parameterArguments]);
        Assert.True(result.ExitCode == 0, $"converting {file} to JSON failed: " + result.Describe());
        return JsonNode.Parse(result.StandardOutput)!.AsObject();
    }
}
