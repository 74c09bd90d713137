using System.Text;

namespace Replicator.Function.Tests.Fuzzing;

/// <summary>
/// Generated hostile EventBridge bodies: each names the field the parser must blame. Values are raw JSON, so a
/// field can get the wrong type, an invalid or path-like name, a huge string, deep nesting, or be left out.
/// </summary>
internal static class HostileEvents
{
    public const string ValidDigest = "sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1";

    private static readonly string[] WrongTypes = ["1", "-1.5e308", "true", "[]", "{}", "[\"x\"]", "{\"a\":\"b\"}"];

    private static readonly string[] BadNames =
    [
        "\"\"", "\" \"", "\"../etc/passwd\"", "\"a/../b\"", "\"./a\"", "\"/abs\"", "\"a//b\"", "\"..\\\\..\\\\x\"", "\"UPPER\"", "\"a b\"",
        "\"a\\u0000b\"", "\"caf\\u00e9\"", "\"a%2F..%2Fb\"", "\"a\\nb\"", "\"\\ud800\"",
    ];

    private static readonly string[] BadDigests =
    [
        "\"\"", "\"sha256:\"", "\"sha256:2de558\"", "\"SHA256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1\"",
        "\"sha256:2DE558EE630688D4305FCAC8013BDD6521EC9DD913DDD93D86BDD4208FFEFBA1\"", "\"md5:0123456789abcdef0123456789abcdef\"",
        "\"sha256:../../2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefb\"", "\"sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1\\n\"",
        "\"2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1\"",
    ];

    public static Dictionary<string, string> ValidFields() => new(StringComparer.Ordinal)
    {
        ["source"] = "\"aws.ecr\"",
        ["detail-type"] = "\"ECR Image Action\"",
        ["account"] = "\"000000000000\"",
        ["region"] = "\"us-east-1\"",
        ["time"] = "\"2026-11-28T04:00:00Z\"",
        ["action-type"] = "\"PUSH\"",
        ["result"] = "\"SUCCESS\"",
        ["repository-name"] = "\"team/app\"",
        ["image-digest"] = $"\"{ValidDigest}\"",
        ["image-tag"] = "\"v1\"",
    };

    /// <summary>The body with the given raw JSON values; a null value leaves the field out.</summary>
    public static string Body(IReadOnlyDictionary<string, string?> fields)
    {
        static string Members(IEnumerable<KeyValuePair<string, string?>> members) =>
            string.Join(',', members.Where(kv => kv.Value is not null).Select(kv => $"\"{kv.Key}\":{kv.Value}"));

        string[] detailFields = ["action-type", "result", "repository-name", "image-digest", "image-tag"];
        var top = fields.Where(kv => !detailFields.Contains(kv.Key));
        var detail = fields.Where(kv => detailFields.Contains(kv.Key));
        return $"{{\"version\":\"0\",\"id\":\"e1\",{Members(top)},\"resources\":[],\"detail\":{{{Members(detail)}}}}}";
    }

    public static string With(string field, string? rawValue)
    {
        var fields = ValidFields().ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        fields[field] = rawValue;
        return Body(fields);
    }

    /// <summary>(field, hostile raw JSON value or null for "left out") pairs: each alone makes a valid body invalid.</summary>
    public static IEnumerable<(string Field, string? Raw)> FieldValues()
    {
        foreach (var field in ValidFields().Keys)
        {
            foreach (var wrong in WrongTypes)
            {
                yield return (field, wrong);
            }
        }

        foreach (var field in new[] { "source", "detail-type", "account", "region", "action-type", "result", "repository-name", "image-digest" })
        {
            yield return (field, null);
        }

        foreach (var name in BadNames)
        {
            yield return ("repository-name", name);
            yield return ("region", name);
            yield return ("account", name);
            if (name is not "\"UPPER\"" and not "\"\"")
            {
                // Tags may hold capitals, and an empty tag is ECR's form of "untagged"; everything else here is an
                // invalid tag too.
                yield return ("image-tag", name);
            }
        }

        foreach (var digest in BadDigests)
        {
            yield return ("image-digest", digest);
        }

        yield return ("image-tag", $"\"{new string('t', 301)}\"");
        yield return ("repository-name", $"\"{new string('r', 257)}\"");
        yield return ("account", "\"0000000000000\"");
        yield return ("time", "\"yesterday\"");
        yield return ("action-type", "\"push\"");
        yield return ("result", $"\"{new string('R', 10_000)}\"");
        yield return ("source", "\"aws.s3\"");
        yield return ("image-tag", $"\"{new string('x', 200_000)}\"");
    }

    /// <summary>(case name, body, field the error must name).</summary>
    public static IEnumerable<(string Name, string Body, string Field)> All()
    {
        foreach (var (field, raw) in FieldValues())
        {
            yield return ($"{field} = {(raw is null ? "(missing)" : raw[..Math.Min(raw.Length, 60)])}", With(field, raw), field);
        }

        yield return ("body over 256 KiB", With("image-tag", $"\"{new string('x', 300_000)}\""), "body");
        yield return ("deep nesting", With("image-tag", new string('[', 2_000) + new string(']', 2_000)), "body");
        yield return ("nesting just past the cap", With("image-tag", "[[[[[[[[1]]]]]]]]"), "body");
        yield return ("not JSON", "{\"source\":\"aws.ecr\",", "body");

        // Member names System.Text.Json cannot unescape (an unpaired surrogate, plain ASCII to SQS), longer than the
        // names the parser looks up, so a lookup would meet them; and a duplicate member, whose reading would depend on
        // which one a lookup meets first.
        var valid = With("image-tag", "\"v1\"");
        yield return ("top-level member name escaping an unpaired surrogate", "{\"\\udc00\\udc00\":0," + valid[1..], "body");
        yield return ("detail member name escaping an unpaired surrogate", valid.Replace("\"detail\":{", "\"detail\":{\"\\ud800xxxxxxxxxxxxxxxxxxxxxxxx\":0,", StringComparison.Ordinal), "body");
        yield return ("duplicate repository-name", valid.Replace("\"detail\":{", "\"detail\":{\"repository-name\":\"other/app\",", StringComparison.Ordinal), "body");

        // Both at once: the duplicate found first, then named by a walk that meets the unreadable name before it.
        var duplicate = valid.Replace("\"detail\":{", "\"detail\":{\"repository-name\":\"other/app\",", StringComparison.Ordinal);
        yield return ("unpaired-surrogate member name before a duplicate member below it", "{\"\\udc00\":0," + duplicate[1..], "body");
        yield return ("unpaired-surrogate member name beside a nested duplicate", valid.Replace("\"detail\":{", "\"detail\":{\"\\udc00\":0,\"x\":{\"a\":1,\"a\":2},", StringComparison.Ordinal), "body");
        yield return ("JSON array", "[" + With("image-tag", "\"v1\"") + "]", "body");
        yield return ("JSON string", "\"aws.ecr\"", "body");
        yield return ("empty", string.Empty, "body");
        yield return ("detail not an object", ValidBodyWithDetail("[]"), "detail");
        yield return ("detail missing", ValidBodyWithDetail(null), "detail");
        yield return ("binary", Encoding.Latin1.GetString([.. Enumerable.Range(0, 256).Select(i => (byte)i)]), "body");
    }

    private static string ValidBodyWithDetail(string? detail) =>
        "{\"version\":\"0\",\"id\":\"e1\",\"source\":\"aws.ecr\",\"detail-type\":\"ECR Image Action\",\"account\":\"000000000000\",\"region\":\"us-east-1\""
        + (detail is null ? string.Empty : $",\"detail\":{detail}") + "}";
}
