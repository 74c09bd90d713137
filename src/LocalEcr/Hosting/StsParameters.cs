using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LocalEcr.Hosting;

/// <summary>
/// The parameters of an STS query request, held to botocore's STS model (data/sts/2011-06-15/service-2.json): the
/// members each action defines, and each member's required, min/max length, pattern and range. A violation reads as
/// STS words it, e.g. "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint:
/// Member must satisfy regular expression pattern: [\w+=,.@-]*", every violation of the request in one message ("2
/// validation errors detected: ...; ..."). Patterns are the model's, matched against the whole value; where the model
/// writes Java's <c>\w</c> and <c>\d</c> (ASCII only) they are spelled out, as .NET's take every Unicode letter and digit.
/// </summary>
internal static partial class StsParameters
{
    private const string ArnPatternText = @"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+";

    // The model's shapes, by its names.
    private static readonly StringShape ArnType = new(20, 2048, ArnPatternText, IsArnText);
    private static readonly StringShape RoleSessionNameType = new(2, 64, @"[\w+=,.@-]*", SessionNamePattern().IsMatch);
    private static readonly StringShape SessionPolicyType = new(1, null, @"[\u0009\u000A\u000D\u0020-\u00FF]+", IsPolicyText);
    private static readonly StringShape ExternalIdType = new(2, 1224, @"[\w+=,.@:\/-]*", ExternalIdPattern().IsMatch);
    private static readonly StringShape SerialNumberType = new(9, 256, @"[\w+=/:,.@-]*", SerialNumberPattern().IsMatch);
    private static readonly StringShape TokenCodeType = new(6, 6, @"[\d]*", TokenCodePattern().IsMatch);
    private static readonly StringShape SourceIdentityType = new(2, 64, @"[\w+=,.@-]*", SessionNamePattern().IsMatch);
    private static readonly StringShape TagKeyType = new(1, 128, @"[\p{L}\p{Z}\p{N}_.:/=+\-@]+", TagKeyPattern().IsMatch);
    private static readonly StringShape TagValueType = new(0, 256, @"[\p{L}\p{Z}\p{N}_.:/=+\-@]*", TagValuePattern().IsMatch);
    private static readonly StringShape ContextAssertionType = new(4, 2048, null, null);

    private static readonly string[] ScalarMembers = ["RoleArn", "RoleSessionName", "Policy", "DurationSeconds", "ExternalId", "SerialNumber", "TokenCode", "SourceIdentity"];

    // AssumeRole's list members and the fields of their elements (none: a list of strings).
    private static readonly Dictionary<string, string[]> ListMembers = new(StringComparer.Ordinal)
    {
        ["PolicyArns"] = ["arn"],
        ["Tags"] = ["Key", "Value"],
        ["TransitiveTagKeys"] = [],
        ["ProvidedContexts"] = ["ProviderArn", "ContextAssertion"],
    };

    /// <summary>
    /// The parameters of a form-encoded body (application/x-www-form-urlencoded: name=value pairs joined by '&amp;',
    /// '+' for a space, percent-encoded UTF-8), their names compared ordinally as STS's are case-sensitive (ASP.NET's
    /// query parser would fold "roleArn" into "RoleArn"); <c>Repeated</c> names the first parameter given twice.
    /// </summary>
    public static (Dictionary<string, string> Form, string? Repeated) Parse(string body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            if (!form.TryAdd(name, equals < 0 ? string.Empty : Decode(pair[(equals + 1)..])))
            {
                return (form, name);
            }
        }

        return (form, null);
    }

    /// <summary>
    /// The first parameter (in ordinal order) that <paramref name="action"/> does not define, or a list member not
    /// spelled as the query protocol spells one (<c>Tags.member.N.Key</c>, numbered 1..n); null when there is none.
    /// Action and Version are every action's.
    /// </summary>
    public static string? Unknown(string action, IReadOnlyDictionary<string, string> form)
    {
        var lists = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        foreach (var name in form.Keys.Order(StringComparer.Ordinal))
        {
            if (name is "Action" or "Version")
            {
                continue;
            }

            if (action != "AssumeRole")
            {
                return name;
            }

            if (ScalarMembers.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            // An empty list is sent as its bare name with no value (botocore: "Tags=").
            if (ListMembers.ContainsKey(name) && form[name].Length == 0)
            {
                lists.TryAdd(name, []);
                continue;
            }

            if (ListEntry().Match(name) is not { Success: true } entry
                || !ListMembers.TryGetValue(entry.Groups["list"].Value, out var fields)
                || !int.TryParse(entry.Groups["index"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                || (entry.Groups["field"].Success ? !fields.Contains(entry.Groups["field"].Value, StringComparer.Ordinal) : fields.Length > 0))
            {
                return name;
            }

            var list = entry.Groups["list"].Value;
            if (form.ContainsKey(list))
            {
                return list;
            }

            lists.TryAdd(list, []);
            lists[list].Add(index);
        }

        // Elements are numbered from 1 without a gap.
        return lists.FirstOrDefault(l => l.Value.Count > 0 && l.Value.Max != l.Value.Count).Key;
    }

    /// <summary>AssumeRole's model violations, in the model's member order; empty when there is none.</summary>
    public static IReadOnlyList<string> AssumeRoleViolations(IReadOnlyDictionary<string, string> form)
    {
        var errors = new List<string>();
        string? Get(string name) => form.TryGetValue(name, out var value) ? value : null;
        Check(errors, "roleArn", Get("RoleArn"), ArnType, required: true);
        Check(errors, "roleSessionName", Get("RoleSessionName"), RoleSessionNameType, required: true);
        CheckList(errors, form, "PolicyArns", "policyArns", min: null, max: null, (i, element) => Check(errors, $"policyArns.{i}.member.arn", element("arn"), ArnType, required: false));
        Check(errors, "policy", Get("Policy"), SessionPolicyType, required: false);
        CheckDuration(errors, Get("DurationSeconds"));
        CheckList(errors, form, "Tags", "tags", min: null, max: 50, (i, element) =>
        {
            Check(errors, $"tags.{i}.member.key", element("Key"), TagKeyType, required: true);
            Check(errors, $"tags.{i}.member.value", element("Value"), TagValueType, required: true);
        });
        CheckList(errors, form, "TransitiveTagKeys", "transitiveTagKeys", min: null, max: 50, (i, element) => Check(errors, $"transitiveTagKeys.{i}.member", element(null), TagKeyType, required: true));
        Check(errors, "externalId", Get("ExternalId"), ExternalIdType, required: false);
        Check(errors, "serialNumber", Get("SerialNumber"), SerialNumberType, required: false);
        Check(errors, "tokenCode", Get("TokenCode"), TokenCodeType, required: false);
        Check(errors, "sourceIdentity", Get("SourceIdentity"), SourceIdentityType, required: false);
        CheckList(errors, form, "ProvidedContexts", "providedContexts", min: 1, max: 5, (i, element) =>
        {
            Check(errors, $"providedContexts.{i}.member.providerArn", element("ProviderArn"), ArnType, required: false);
            Check(errors, $"providedContexts.{i}.member.contextAssertion", element("ContextAssertion"), ContextAssertionType, required: false);
        });
        return errors;
    }

    /// <summary>STS's message for <paramref name="errors"/>: "N validation error(s) detected: " and each, joined by "; ".</summary>
    public static string Message(IReadOnlyList<string> errors) =>
        $"{errors.Count} validation error{(errors.Count == 1 ? string.Empty : "s")} detected: {string.Join("; ", errors)}";

    /// <summary>True when the request sends an element of <paramref name="list"/> (an empty list sends none).</summary>
    public static bool SendsElements(IReadOnlyDictionary<string, string> form, string list) =>
        form.Keys.Any(k => k.StartsWith(list + ".member.", StringComparison.Ordinal));

    /// <summary>True when the request sends <paramref name="list"/>, as elements or as an empty list.</summary>
    private static bool Sends(IReadOnlyDictionary<string, string> form, string list) =>
        form.ContainsKey(list) || SendsElements(form, list);

    private static void Check(List<string> errors, string path, string? value, StringShape shape, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(Violation(path, null, "Member must not be null"));
            }

            return;
        }

        if (shape.Matches is { } matches && !matches(value))
        {
            errors.Add(Violation(path, value, "Member must satisfy regular expression pattern: " + shape.PatternText));
        }

        // Lengths in characters; the stricter count on each side: a character outside the BMP counts once toward the
        // minimum (a code point) and twice toward the maximum (two UTF-16 units, as Java's String.length() counts).
        if (CodePoints(value) < shape.Min)
        {
            errors.Add(Violation(path, value, $"Member must have length greater than or equal to {shape.Min}"));
        }

        if (shape.Max is { } max && value.Length > max)
        {
            errors.Add(Violation(path, value, $"Member must have length less than or equal to {max}"));
        }
    }

    private static void CheckDuration(List<string> errors, string? text)
    {
        if (text is null)
        {
            return;
        }

        // No sign, space or fraction: an integer as botocore writes one. What STS answers for text that is no integer
        // is not documented; LocalEcr refuses it as a ValidationError in its own words.
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            errors.Add(Violation("durationSeconds", text, "Member must be an integer"));
        }
        else if (seconds < 900)
        {
            errors.Add(Violation("durationSeconds", text, "Member must have value greater than or equal to 900"));
        }
        else if (seconds > 43200)
        {
            errors.Add(Violation("durationSeconds", text, "Member must have value less than or equal to 43200"));
        }
    }

    private static void CheckList(List<string> errors, IReadOnlyDictionary<string, string> form, string name, string path, int? min, int? max, Action<int, Func<string?, string?>> element)
    {
        if (!Sends(form, name))
        {
            return;
        }

        // Unknown has already refused a list not numbered 1..n, so the highest number is the count.
        var prefix = name + ".member.";
        var count = form.Keys.Select(k => ListEntry().Match(k))
            .Where(m => m.Success && m.Groups["list"].Value == name)
            .Select(m => int.Parse(m.Groups["index"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture))
            .DefaultIfEmpty(0).Max();
        var rendered = "[" + string.Join(", ", form.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value)) + "]";
        if (min is { } least && count < least)
        {
            errors.Add(Violation(path, rendered, $"Member must have length greater than or equal to {least}"));
        }

        if (max is { } most && count > most)
        {
            errors.Add(Violation(path, rendered, $"Member must have length less than or equal to {most}"));
        }

        for (var i = 1; i <= count; i++)
        {
            var at = prefix + i.ToString(CultureInfo.InvariantCulture);
            element(i, field => form.TryGetValue(field is null ? at : at + "." + field, out var value) ? value : null);
        }
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string Violation(string path, string? value, string constraint) =>
        $"Value {(value is null ? "null" : "'" + value + "'")} at '{path}' failed to satisfy constraint: {constraint}";

    private static int CodePoints(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    // arnType: tab, line feed, carriage return, and the printable characters of every plane but the surrogates,
    // U+FFFE and U+FFFF (a lone surrogate is decoded from the form as U+FFFD, which the pattern takes).
    private static bool IsArnText(string value) => value.Length > 0 && value.EnumerateRunes().All(r => r.Value switch
    {
        0x09 or 0x0A or 0x0D or 0x85 => true,
        >= 0x20 and <= 0x7E => true,
        >= 0xA0 and <= 0xD7FF => true,
        >= 0xE000 and <= 0xFFFD => true,
        >= 0x10000 => true,
        _ => false,
    });

    private static bool IsPolicyText(string value) => value.Length > 0 && value.All(c => c is '\t' or '\n' or '\r' or (>= '\u0020' and <= '\u00FF'));

    [GeneratedRegex(@"^(?<list>[A-Za-z]+)\.member\.(?<index>[1-9][0-9]{0,8})(?:\.(?<field>[A-Za-z]+))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex ListEntry();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=/:,.@-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SerialNumberPattern();

    [GeneratedRegex(@"^[0-9]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TokenCodePattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagKeyPattern();

    [GeneratedRegex(@"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagValuePattern();

    /// <summary>A string shape of the model: its length bounds and pattern (the model's text, and a matcher for it).</summary>
    private sealed record StringShape(int Min, int? Max, string? PatternText, Func<string, bool>? Matches);
}
