using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Stack.Tests.Support;

/// <summary>
/// Resolves the intrinsic functions the template uses (Ref, Fn::GetAtt, Fn::Join, Fn::Split, Fn::Sub, Fn::If,
/// Fn::Select, Fn::FindInMap and the condition functions) the way CloudFormation would for fixed parameter values, so tests
/// can assert on the ARNs and lists a deployment really gets. References to resources stay symbolic:
/// "{Ref:Id}" and "{GetAtt:Id.Attribute}". Returns null for AWS::NoValue.
/// </summary>
internal sealed partial class IntrinsicEvaluator
{
    public const string Region = "us-east-1";
    public const string AccountId = "123456789012";
    public const string Partition = "aws";
    public const string StackName = "teststack";

    private readonly IReadOnlyDictionary<string, JsonNode> _parameters;
    private readonly HashSet<string> _resources;
    private readonly JsonObject _mappings;
    private readonly Dictionary<string, bool> _conditions = new(StringComparer.Ordinal);
    private readonly string _region;

    /// <param name="region">AWS::Region; <see cref="Region"/> unless a test deploys the stack in another one.</param>
    public IntrinsicEvaluator(JsonObject template, IReadOnlyDictionary<string, string> parameterValues, string region = Region)
    {
        _region = region;
        var parameters = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (name, declaration) in template["Parameters"]?.AsObject() ?? [])
        {
            var type = (string?)declaration?["Type"] ?? "String";
            var raw = parameterValues.TryGetValue(name, out var given)
                ? given
                : declaration?["Default"]?.ToString() ?? throw new InvalidOperationException($"no value for {name}");
            parameters[name] = type.Contains("List", StringComparison.Ordinal)
                ? new JsonArray([.. raw.Split(',').Select(v => (JsonNode)JsonValue.Create(v.Trim()))])
                : JsonValue.Create(raw);
        }

        _parameters = parameters;
        _resources = [.. (template["Resources"]?.AsObject() ?? []).Select(r => r.Key)];
        _mappings = template["Mappings"]?.AsObject() ?? [];
        foreach (var (name, expression) in template["Conditions"]?.AsObject() ?? [])
        {
            _conditions[name] = EvaluateCondition(expression);
        }
    }

    /// <summary>
    /// The AssertDescription of every assertion of the template's Rules that these parameter values fail: CloudFormation
    /// refuses to create or update the stack when this is not empty. A rule whose Condition is false asserts nothing.
    /// </summary>
    public IReadOnlyList<string> FailedAssertions(JsonObject template) =>
    [
        .. (template["Rules"]?.AsObject() ?? [])
            .Where(rule => rule.Value!["RuleCondition"] is not { } condition || EvaluateCondition(condition))
            .SelectMany(rule => rule.Value!["Assertions"]!.AsArray())
            .Where(assertion => !EvaluateCondition(assertion!["Assert"]))
            .Select(assertion => (string)assertion!["AssertDescription"]!),
    ];

    public bool Condition(string name) =>
        _conditions.TryGetValue(name, out var value) ? value : throw new KeyNotFoundException($"condition {name}");

    public JsonNode? Evaluate(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray([.. array.Select(Evaluate).Where(n => n is not null)]);
            case JsonObject obj when obj.Count == 1 && IsIntrinsic(obj.First().Key):
                var (function, argument) = obj.First();
                return EvaluateFunction(function, argument);
            case JsonObject obj:
                var result = new JsonObject();
                foreach (var (key, value) in obj)
                {
                    var evaluated = Evaluate(value);
                    if (evaluated is not null)
                    {
                        result[key] = evaluated;
                    }
                }

                return result;
            default:
                return node?.DeepClone();
        }
    }

    private static bool IsIntrinsic(string key) => key == "Ref" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? EvaluateFunction(string function, JsonNode? argument) => function switch
    {
        "Ref" => Ref((string)argument!),
        "Fn::GetAtt" => GetAtt(argument!),
        "Fn::Join" => JsonValue.Create(string.Join(
            (string)argument![0]!,
            List(argument[1]).Select(Text))),
        "Fn::Split" => new JsonArray([.. Text(Evaluate(argument![1]))
            .Split((string)argument[0]!)
            .Select(s => (JsonNode)JsonValue.Create(s))]),
        "Fn::Sub" => JsonValue.Create(Sub(argument!)),
        "Fn::If" => If(argument!.AsArray()),
        "Fn::FindInMap" => FindInMap(argument!.AsArray()),
        "Fn::Select" => Select(int.Parse(Text(Evaluate(argument![0])), CultureInfo.InvariantCulture), argument[1], argument),
        "Fn::Equals" or "Fn::Not" or "Fn::And" or "Fn::Or" => JsonValue.Create(
            EvaluateCondition(new JsonObject { [function] = argument?.DeepClone() })),
        _ => throw new NotSupportedException($"intrinsic {function} is not modelled by the test evaluator"),
    };

    // The error AWS::LanguageExtensions fails the change set with ("Fn::Select cannot select nonexistent value at index 1").
    private JsonNode? Select(int index, JsonNode? listExpression, JsonNode expression)
    {
        var list = List(listExpression);
        if (index >= 0 && index < list.Count)
        {
            return list[index]?.DeepClone();
        }

        // cfn-lint expands a Fn::ForEach over a list parameter it cannot enumerate (an empty one) into two placeholder
        // copies whose identifier is Fn::Select [i, Ref PARAMETER]; the template itself never selects from a bare Ref.
        // CloudFormation makes one copy with the identifier "", which is what such a placeholder stands for.
        if (listExpression is JsonObject reference && reference.Count == 1 && reference.ContainsKey("Ref") && list is [JsonValue only] && (string?)only == "")
        {
            return JsonValue.Create(string.Empty);
        }

        throw new InvalidOperationException($"Fn::Select cannot select nonexistent value at index {index} of {list.ToJsonString()} in {expression.ToJsonString()}");
    }

    private JsonNode? If(JsonArray argument)
    {
        // Both branches are evaluated and one is kept: stricter than needed, so that an intrinsic that would fail
        // (a Fn::Select past the end of a list) fails the test for either value of the condition.
        var whenTrue = Evaluate(argument[1]);
        var whenFalse = Evaluate(argument[2]);
        return Condition((string)argument[0]!) ? whenTrue : whenFalse;
    }

    private JsonNode FindInMap(JsonArray argument)
    {
        var (map, top, second) = (Text(Evaluate(argument[0])), Text(Evaluate(argument[1])), Text(Evaluate(argument[2])));
        return _mappings[map]?[top]?[second]?.DeepClone() ?? throw new KeyNotFoundException($"Fn::FindInMap [{map}, {top}, {second}]");
    }

    private JsonNode? Ref(string name) => name switch
    {
        "AWS::Region" => JsonValue.Create(_region),
        "AWS::AccountId" => JsonValue.Create(AccountId),
        "AWS::Partition" => JsonValue.Create(Partition),
        "AWS::StackName" => JsonValue.Create(StackName),
        "AWS::URLSuffix" => JsonValue.Create("amazonaws.com"),
        "AWS::NoValue" => null,
        _ when _parameters.TryGetValue(name, out var value) => value.DeepClone(),
        _ when _resources.Contains(name) => JsonValue.Create($"{{Ref:{name}}}"),
        _ => throw new KeyNotFoundException($"Ref to unknown name {name}"),
    };

    private static JsonValue GetAtt(JsonNode argument) => argument is JsonArray pair
        ? JsonValue.Create($"{{GetAtt:{(string)pair[0]!}.{(string)pair[1]!}}}")
        : JsonValue.Create($"{{GetAtt:{(string)argument!}}}");

    private string Sub(JsonNode argument)
    {
        var (template, variables) = argument is JsonArray array
            ? ((string)array[0]!, array[1]!.AsObject())
            : ((string)argument!, new JsonObject());
        return SubVariable().Replace(template, match =>
        {
            var name = match.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}";
            }

            if (variables.TryGetPropertyValue(name, out var variable))
            {
                return Text(Evaluate(variable));
            }

            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && !name.StartsWith("AWS::", StringComparison.Ordinal)
                ? $"{{GetAtt:{name}}}"
                : Text(Ref(name));
        });
    }

    private bool EvaluateCondition(JsonNode? expression)
    {
        var (function, argument) = expression!.AsObject().First();
        return function switch
        {
            "Fn::Equals" => Text(Evaluate(argument![0])) == Text(Evaluate(argument[1])),
            "Fn::Not" => !EvaluateCondition(argument![0]),
            // Every operand is evaluated, as a deployment would: a Fn::Select out of range in the second operand
            // must fail here even when the first already decides the result.
            "Fn::And" => argument!.AsArray().Select(EvaluateCondition).ToList().All(b => b),
            "Fn::Or" => argument!.AsArray().Select(EvaluateCondition).ToList().Any(b => b),
            "Condition" => Condition((string)argument!),
            // Rule functions (Rules section only): [list, string].
            // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-rules.html
            "Fn::Contains" => List(argument![0]).Any(n => Text(n) == Text(Evaluate(argument[1]))),
            "Fn::EachMemberEquals" => List(argument![0]).All(n => Text(n) == Text(Evaluate(argument[1]))),
            _ => throw new NotSupportedException($"condition function {function}"),
        };
    }

    private JsonArray List(JsonNode? node) =>
        Evaluate(node) as JsonArray ?? throw new InvalidOperationException($"not a list: {node?.ToJsonString()}");

    private static string Text(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var s) => s,
        JsonValue value => value.ToJsonString(),
        _ => throw new InvalidOperationException($"not a scalar: {node?.ToJsonString()}"),
    };

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
