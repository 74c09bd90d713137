using System.Text.Json;
using System.Text.Json.Nodes;
using LocalEcr.Model;

namespace LocalEcr.Tests.Support;

/// <summary>
/// Generates, from the ECR model, requests that each break one constraint of a valid request: a required
/// member left out, a string too short, too long, off its pattern (or a valid value with a trailing newline) or
/// outside its enum, a number out of range, a list too short or too long, a blob too big. Walks every member
/// present in the valid request, nested ones included.
/// </summary>
internal static class ModelViolations
{
    public sealed record Case(string Operation, string Path, string Broken, JsonObject Body);

    public static IEnumerable<Case> For(EcrModel model, string operation, JsonObject valid)
    {
        var cases = new List<Case>();
        Walk(model, model.Input(operation), valid, string.Empty, (path, broken, mutate) =>
        {
            var body = (JsonObject)valid.DeepClone();
            mutate(body);
            cases.Add(new Case(operation, path, broken, body));
        });
        return cases;
    }

    private static void Walk(EcrModel model, ModelShape shape, JsonNode node, string path, Action<string, string, Action<JsonObject>> add)
    {
        switch (shape.Type)
        {
            case "structure":
                foreach (var required in shape.Required)
                {
                    var at = Join(path, required);
                    add(at, "required", body => ((JsonObject)Locate(body, path)!).Remove(required));
                }

                foreach (var (name, value) in (JsonObject)node)
                {
                    if (value is not null && shape.Members.TryGetValue(name, out var member))
                    {
                        Walk(model, model.Shape(member), value, Join(path, name), add);
                    }
                }

                return;

            case "list":
                var list = (JsonArray)node;
                if (shape.Min is > 0)
                {
                    add(path, "min items", body => Replace(body, path, new JsonArray()));
                }

                if (shape.Max is { } maxItems && list.Count > 0)
                {
                    add(path, "max items", body => Replace(body, path, new JsonArray([.. Enumerable.Range(0, (int)maxItems + 1).Select(_ => list[0]!.DeepClone())])));
                }

                for (var i = 0; i < list.Count; i++)
                {
                    Walk(model, model.Shape(shape.Member!), list[i]!, $"{path}[{i}]", add);
                }

                return;

            case "string":
                if (shape.Min is > 0 and var min)
                {
                    add(path, "min length", body => Replace(body, path, new string('a', (int)min - 1)));
                }

                if (shape.Max is { } max)
                {
                    add(path, "max length", body => Replace(body, path, new string('a', (int)max + 1)));
                }

                if (shape.PatternRegex is not null)
                {
                    add(path, "pattern", body => Replace(body, path, new string('!', (int)Math.Max(shape.Min ?? 1, 1))));

                    // A valid value with a trailing newline: a regex anchored with $ rather than \z accepts it.
                    add(path, "pattern, trailing newline", body => Replace(body, path, node.GetValue<string>() + "\n"));
                }

                if (shape.Enum is not null)
                {
                    add(path, "enum", body => Replace(body, path, "NOT_IN_THE_ENUM"));
                }

                return;

            case "integer" or "long":
                if (shape.Min is { } low)
                {
                    add(path, "min value", body => Replace(body, path, low - 1));
                }

                if (shape.Max is { } high)
                {
                    add(path, "max value", body => Replace(body, path, high + 1));
                }

                return;

            case "blob":
                if (shape.Max is { } maxBytes)
                {
                    add(path, "max bytes", body => Replace(body, path, Convert.ToBase64String(new byte[maxBytes + 1])));
                }

                return;

            default:
                return;
        }
    }

    /// <summary>
    /// Requests that each give one member of a valid request (nested ones included) a value of another JSON type
    /// than its shape's: a number for a string or a blob, a string for a number, a boolean, a timestamp, a list or a
    /// structure, a list for a map.
    /// </summary>
    public static IEnumerable<Case> Mistyped(EcrModel model, string operation, JsonObject valid)
    {
        var cases = new List<Case>();
        WalkMembers(model, model.Input(operation), valid, string.Empty, (path, type) =>
        {
            var body = (JsonObject)valid.DeepClone();
            Replace(body, path, WrongType(type));
            cases.Add(new Case(operation, path, $"type {type}", body));
        });
        return cases;
    }

    private static JsonNode WrongType(string type) => type switch
    {
        "string" or "blob" => JsonValue.Create(5),
        "map" => new JsonArray(),
        _ => JsonValue.Create("5"),
    };

    private static void WalkMembers(EcrModel model, ModelShape shape, JsonNode node, string path, Action<string, string> add)
    {
        if (path.Length > 0)
        {
            add(path, shape.Type);
        }

        switch (shape.Type)
        {
            case "structure":
                foreach (var (name, value) in (JsonObject)node)
                {
                    if (value is not null && shape.Members.TryGetValue(name, out var member))
                    {
                        WalkMembers(model, model.Shape(member), value, Join(path, name), add);
                    }
                }

                return;

            case "list":
                var list = (JsonArray)node;
                for (var i = 0; i < list.Count; i++)
                {
                    WalkMembers(model, model.Shape(shape.Member!), list[i]!, $"{path}[{i}]", add);
                }

                return;

            default:
                return;
        }
    }

    private static string Join(string path, string member) => path.Length == 0 ? member : path + "." + member;

    /// <summary>The node at a path such as <c>tags[0].Value</c>.</summary>
    private static JsonNode? Locate(JsonNode root, string path)
    {
        var node = root;
        foreach (var step in Steps(path))
        {
            node = step.Index is { } index ? node![step.Name]![index] : node![step.Name];
        }

        return node;
    }

    private static void Replace(JsonObject body, string path, JsonNode? value)
    {
        var steps = Steps(path);
        var parent = Locate(body, string.Join('.', steps.SkipLast(1).Select(s => s.Index is { } i ? $"{s.Name}[{i}]" : s.Name)));
        var last = steps[^1];
        if (last.Index is { } index)
        {
            ((JsonArray)parent![last.Name]!)[index] = value;
        }
        else
        {
            parent![last.Name] = value;
        }
    }

    private static List<(string Name, int? Index)> Steps(string path) =>
        path.Length == 0
            ? []
            : [.. path.Split('.').Select(part => part.IndexOf('[', StringComparison.Ordinal) is var bracket and >= 0
                ? (part[..bracket], (int?)int.Parse(part[(bracket + 1)..^1], System.Globalization.CultureInfo.InvariantCulture))
                : (part, null))];

    public static JsonElement ToElement(JsonObject body) => JsonDocument.Parse(body.ToJsonString()).RootElement;
}
