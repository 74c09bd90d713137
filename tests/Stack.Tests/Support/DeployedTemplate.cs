using System.Text.Json.Nodes;

namespace Stack.Tests.Support;

/// <summary>Resources of an expanded, evaluated template.</summary>
internal sealed class DeployedTemplate(JsonObject resources, IntrinsicEvaluator evaluator, JsonObject transformed)
{
    /// <summary>
    /// The whole template after AWS::LanguageExtensions and SAM (Fn::ForEach unrolled, intrinsics as written, the
    /// sample values as parameter defaults): what cfn-lint checks in <see cref="CfnLintTests"/>.
    /// </summary>
    public JsonObject Transformed { get; } = transformed;

    public JsonObject Resources { get; } = resources;

    public IntrinsicEvaluator Evaluator { get; } = evaluator;

    public JsonObject Resource(string logicalId) =>
        Resources[logicalId]?.AsObject() ?? throw new KeyNotFoundException($"resource {logicalId} not in the template");

    public JsonObject Properties(string logicalId) => Resource(logicalId)["Properties"]!.AsObject();

    public IEnumerable<KeyValuePair<string, JsonObject>> OfType(string type) =>
        Resources
            .Where(r => (string?)r.Value!["Type"] == type)
            .Select(r => KeyValuePair.Create(r.Key, r.Value!.AsObject()));
}
