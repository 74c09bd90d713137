using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalEcr.Model;

/// <summary>
/// The request, answer and error shapes of botocore's ECR service model (data/ecr/2015-09-21/service-2.json), as
/// generated into ecr-model.json by generate.py beside this file, and a check of a request body against them: required
/// members, lengths, ranges, patterns and enums. LocalEcr refuses a request that breaks them, as ECR's front
/// end does before the operation runs; the tests use the same check on what the replicator sends, and
/// <see cref="CheckAnswer"/> and <see cref="CheckError"/> on what LocalEcr answers.
/// </summary>
public sealed class EcrModel
{
    private const string ResourceName = "LocalEcr.Model.ecr-model.json";

    private readonly Dictionary<string, ModelShape> _shapes;
    private readonly Dictionary<string, (string Input, string Output, IReadOnlyList<string> Errors)> _operations;

    private EcrModel(string source, Dictionary<string, ModelShape> shapes, Dictionary<string, (string, string, IReadOnlyList<string>)> operations)
    {
        Source = source;
        _shapes = shapes;
        _operations = operations;
    }

    /// <summary>The model embedded in LocalEcr.</summary>
    public static EcrModel Instance { get; } = Load();

    /// <summary>Which botocore release and model file the shapes were copied from.</summary>
    public string Source { get; }

    public IEnumerable<string> Operations => _operations.Keys;

    public ModelShape Shape(string name) => _shapes[name];

    public ModelShape Input(string operation) => _shapes[_operations[operation].Input];

    /// <summary>The error shapes the model lists for the operation.</summary>
    public IReadOnlyList<string> Errors(string operation) => _operations[operation].Errors;

    public bool Knows(string operation) => _operations.ContainsKey(operation);

    /// <summary>Every way <paramref name="body"/> breaks the operation's input shape; empty when it satisfies it.</summary>
    /// <param name="operation">The operation name, as in the X-Amz-Target header (<c>PutImage</c>).</param>
    /// <param name="body">The request's JSON body.</param>
    /// <param name="unknownMembers">Also report members the model does not define (ECR ignores them; a client should not send them).</param>
    public List<ModelViolation> Check(string operation, JsonElement body, bool unknownMembers = false)
    {
        var violations = new List<ModelViolation>();
        CheckValue(Input(operation), body, string.Empty, new(unknownMembers, ListLengths: true), violations);
        return violations;
    }

    /// <summary>
    /// Every way a successful answer's <paramref name="body"/> breaks the operation's output shape: a member the model
    /// does not define (an SDK drops it, so a client reading it would work against LocalEcr only), a wrong JSON type,
    /// a value outside an enum, a string's length or pattern, a missing required member. Not the lengths of lists: ECR
    /// answers an empty list where the model's list shape says at least one (ListImages' <c>imageIds</c> of an empty
    /// repository, as the AWS CLI shows it), and the SDKs never check an answer's constraints.
    /// </summary>
    public List<ModelViolation> CheckAnswer(string operation, JsonElement body)
    {
        var violations = new List<ModelViolation>();
        CheckValue(_shapes[_operations[operation].Output], body, string.Empty, Answer, violations);
        return violations;
    }

    /// <summary>
    /// Every way an error answer's <paramref name="body"/> breaks the error shape <paramref name="code"/> (its members
    /// beside the protocol's <c>__type</c>), as <see cref="CheckAnswer"/> does.
    /// </summary>
    public List<ModelViolation> CheckError(string code, JsonElement body)
    {
        var violations = new List<ModelViolation>();
        CheckValue(_shapes[code], body, string.Empty, Answer with { ProtocolMember = "__type" }, violations);
        return violations;
    }

    /// <summary>How an answer is checked: every member must be the model's, lists of any length.</summary>
    private static readonly Strictness Answer = new(UnknownMembers: true, ListLengths: false);

    /// <param name="ProtocolMember">A top-level member the protocol adds beside the shape's (an error's <c>__type</c>).</param>
    private readonly record struct Strictness(bool UnknownMembers, bool ListLengths, string? ProtocolMember = null);

    private void CheckValue(ModelShape shape, JsonElement value, string path, Strictness strictness, List<ModelViolation> violations)
    {
        switch (shape.Type)
        {
            case "structure":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a structure"));
                    return;
                }

                foreach (var required in shape.Required)
                {
                    if (!value.TryGetProperty(required, out var present) || present.ValueKind == JsonValueKind.Null)
                    {
                        var at = Join(path, required);
                        violations.Add(new(at, "required", $"Value null at '{at}' failed to satisfy constraint: Member must not be null"));
                    }
                }

                foreach (var property in value.EnumerateObject())
                {
                    var at = Join(path, property.Name);
                    if (path.Length == 0 && property.Name == strictness.ProtocolMember)
                    {
                        continue;
                    }

                    if (!shape.Members.TryGetValue(property.Name, out var memberShape))
                    {
                        if (strictness.UnknownMembers)
                        {
                            violations.Add(new(at, "unknown-member", $"'{at}' is not a member of {shape.Name}"));
                        }
                    }
                    else if (property.Value.ValueKind != JsonValueKind.Null)
                    {
                        CheckValue(_shapes[memberShape], property.Value, at, strictness, violations);
                    }
                }

                return;

            case "list":
                if (value.ValueKind != JsonValueKind.Array)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a list"));
                    return;
                }

                var count = value.GetArrayLength();
                if (strictness.ListLengths && OutOfRange(shape, count))
                {
                    violations.Add(new(path, "length", $"Value at '{path}' failed to satisfy constraint: Member must have length {Bounds(shape)}"));
                }

                var index = 0;
                foreach (var element in value.EnumerateArray())
                {
                    CheckValue(_shapes[shape.Member!], element, $"{path}[{index++}]", strictness, violations);
                }

                return;

            case "string":
                if (value.ValueKind != JsonValueKind.String)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a string"));
                    return;
                }

                CheckText(shape, value.GetString()!, path, violations);
                return;

            case "integer" or "long":
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be an integer"));
                    return;
                }

                if (OutOfRange(shape, number))
                {
                    violations.Add(new(path, "range", $"Value '{number}' at '{path}' failed to satisfy constraint: Member must have value {Bounds(shape)}"));
                }

                return;

            case "boolean":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a boolean"));
                }

                return;

            case "timestamp":
                // awsJson1_1 sends a timestamp as epoch seconds, a JSON number with a fraction
                // (https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html, "timestamp": epoch-seconds).
                if (value.ValueKind != JsonValueKind.Number)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a timestamp in epoch seconds"));
                }

                return;

            case "map":
                if (value.ValueKind != JsonValueKind.Object)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a map"));
                    return;
                }

                foreach (var entry in value.EnumerateObject())
                {
                    CheckText(_shapes[shape.Key!], entry.Name, $"{path}.{entry.Name}", violations);
                    CheckValue(_shapes[shape.Value!], entry.Value, $"{path}.{entry.Name}", strictness, violations);
                }

                return;

            case "blob":
                // Blobs travel base64-encoded; the limits are on the decoded bytes.
                if (value.ValueKind != JsonValueKind.String)
                {
                    violations.Add(new(path, "type", $"Value at '{path}' must be a base64 string"));
                    return;
                }

                if (OutOfRange(shape, DecodedLength(value)))
                {
                    violations.Add(new(path, "length", $"Value at '{path}' failed to satisfy constraint: Member must have length {Bounds(shape)}"));
                }

                return;

            default:
                // A type this check would pass unread: none of the generated shapes has one (generate.py's operations).
                violations.Add(new(path, "type", $"Value at '{path}' is of shape {shape.Name}, type {shape.Type}, which the check does not know"));
                return;
        }
    }

    /// <summary>A string's length, pattern and enum (a string member, or a map's key).</summary>
    private static void CheckText(ModelShape shape, string text, string path, List<ModelViolation> violations)
    {
        if (OutOfRange(shape, text.Length))
        {
            violations.Add(new(path, "length", $"Value at '{path}' failed to satisfy constraint: Member must have length {Bounds(shape)}"));
        }

        if (shape.PatternRegex is { } regex && !regex.IsMatch(text))
        {
            violations.Add(new(path, "pattern", $"Value '{Shown(text)}' at '{path}' failed to satisfy constraint: Member must satisfy regular expression pattern: {shape.Pattern}"));
        }

        if (shape.Enum is { } values && !values.Contains(text, StringComparer.Ordinal))
        {
            violations.Add(new(path, "enum", $"Value '{Shown(text)}' at '{path}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", values)}]"));
        }
    }

    /// <summary>
    /// The byte count a base64 string member decodes to, read from the raw UTF-8 of the JSON value: a layer
    /// part's blob is ~13.3 MB of text, and GetString would transcode it into a 26.7 MB UTF-16 string per
    /// request only to take its length. A value with JSON escapes (rare) is unescaped first.
    /// </summary>
    private static long DecodedLength(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value)[1..^1];
        if (raw.Contains((byte)'\\'))
        {
            return DecodedLength(System.Text.Encoding.UTF8.GetBytes(value.GetString()!));
        }

        return DecodedLength(raw);
    }

    private static long DecodedLength(ReadOnlySpan<byte> encoded)
    {
        var padding = encoded.EndsWith("=="u8) ? 2 : encoded.EndsWith("="u8) ? 1 : 0;
        return Math.Max(0, (encoded.Length / 4 * 3) - padding);
    }

    private static bool OutOfRange(ModelShape shape, long value) => value < shape.Min || value > shape.Max;

    private static string Bounds(ModelShape shape) => (shape.Min, shape.Max) switch
    {
        ({ } min, { } max) => $"between {min} and {max}",
        ({ } min, null) => $"greater than or equal to {min}",
        (null, { } max) => $"less than or equal to {max}",
        _ => "unconstrained",
    };

    // Values are echoed as ECR does, but never a long one in full (a layer part, a policy).
    private static string Shown(string text) => text.Length <= 64 ? text : text[..64] + "...";

    private static string Join(string path, string member) => path.Length == 0 ? member : path + "." + member;

    private static EcrModel Load()
    {
        using var stream = typeof(EcrModel).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var shapes = new Dictionary<string, ModelShape>(StringComparer.Ordinal);
        foreach (var property in root.GetProperty("shapes").EnumerateObject())
        {
            var s = property.Value;
            var pattern = Optional(s, "pattern")?.GetString();
            shapes[property.Name] = new ModelShape
            {
                Name = property.Name,
                Type = s.GetProperty("type").GetString()!,
                Required = Optional(s, "required") is { } required ? [.. required.EnumerateArray().Select(e => e.GetString()!)] : [],
                Members = Optional(s, "members") is { } members ? members.EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!, StringComparer.Ordinal) : new Dictionary<string, string>(),
                Member = Optional(s, "member")?.GetString(),
                Key = Optional(s, "key")?.GetString(),
                Value = Optional(s, "value")?.GetString(),
                Min = Optional(s, "min")?.GetInt64(),
                Max = Optional(s, "max")?.GetInt64(),
                Pattern = pattern,

                // ECR applies a pattern to the whole value (it refuses "Upper/app" as a repository name although
                // the model's pattern, unanchored, would find "pper/app" in it). \z, not $: .NET's $ also matches
                // before a final "\n", which would let "app\n" pass (https://learn.microsoft.com/dotnet/standard/base-types/anchors-in-regular-expressions).
                // A pattern the model anchors itself (ImageTagMutabilityExclusionFilterValue's ^...$) is closed by the \z too.
                PatternRegex = pattern is null ? null : new Regex("^(?:" + pattern + ")\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)),
                Enum = Optional(s, "enum") is { } values ? [.. values.EnumerateArray().Select(e => e.GetString()!)] : null,
            };
        }

        var operations = root.GetProperty("operations").EnumerateObject().ToDictionary(
            o => o.Name,
            o => (o.Value.GetProperty("input").GetString()!, o.Value.GetProperty("output").GetString()!, (IReadOnlyList<string>)[.. o.Value.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)]),
            StringComparer.Ordinal);
        return new EcrModel(root.GetProperty("source").GetString()!, shapes, operations);
    }

    private static JsonElement? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value : null;
}
