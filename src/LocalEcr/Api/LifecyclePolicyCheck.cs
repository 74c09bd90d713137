using System.Text.Json;

namespace LocalEcr.Api;

/// <summary>
/// The lifecycle policy rule schema, checked conservatively: what the documented properties forbid is refused with
/// InvalidParameterException ("Lifecycle policy validation failure: ..."), anything else is kept. Properties and their rules:
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html (rulePriority unique, an
/// "any" rule last; tagStatus tagged needs tagPrefixList or tagPatternList, untagged omits both; at most four
/// wildcards a pattern; countType imageCountMoreThan, sinceImagePushed, sinceImagePulled or sinceImageTransitioned,
/// the "since" ones counting in days; countNumber a positive integer; action expire, or transition to archive).
/// </summary>
internal static class LifecyclePolicyCheck
{
    private const int MaxWildcards = 4;

    /// <summary>The archive storage class's minimum storage duration, in days.</summary>
    private const int MinArchiveDays = 90;

    public static void Require(JsonElement policy)
    {
        if (Problem(policy) is { } problem)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: {problem}'");
        }
    }

    private static string? Problem(JsonElement policy)
    {
        if (policy.ValueKind != JsonValueKind.Object || !policy.TryGetProperty("rules", out var rules) || rules.ValueKind != JsonValueKind.Array || rules.GetArrayLength() == 0)
        {
            return "Lifecycle policy must have a non-empty 'rules' array";
        }

        var priorities = new HashSet<int>();
        var byStorageClass = new Dictionary<string, (int Highest, int? Any, int Untagged)>(StringComparer.Ordinal);
        foreach (var rule in rules.EnumerateArray())
        {
            if (rule.ValueKind != JsonValueKind.Object
                || !rule.TryGetProperty("rulePriority", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out var priority) || priority < 1)
            {
                return "Each rule needs a positive integer 'rulePriority'";
            }

            if (!priorities.Add(priority))
            {
                return $"rulePriority {priority} is used by more than one rule";
            }

            if ((SelectionProblem(rule) ?? ActionProblem(rule) ?? ArchiveMinimumProblem(rule)) is { } problem)
            {
                return problem;
            }

            var selection = rule.GetProperty("selection");
            var tagStatus = Text(selection, "tagStatus");
            var storageClass = Text(selection, "storageClass") ?? "standard";
            var seen = byStorageClass.GetValueOrDefault(storageClass);
            byStorageClass[storageClass] = (Math.Max(seen.Highest, priority), tagStatus == "any" ? priority : seen.Any, seen.Untagged + (tagStatus == "untagged" ? 1 : 0));
        }

        // ECR's own wording for both: "Rule for tagStatus=ANY must have the lowest priority per storage class" and
        // "Only one rule can select Untagged images per storage class".
        foreach (var (storageClass, (highest, any, untagged)) in byStorageClass)
        {
            if (any is { } anyPriority && anyPriority != highest)
            {
                return $"Rule for tagStatus=ANY must have the lowest priority per storage class ({storageClass})";
            }

            if (untagged > 1)
            {
                return $"Only one rule can select Untagged images per storage class ({storageClass})";
            }
        }

        return null;
    }

    private static string? SelectionProblem(JsonElement rule)
    {
        if (!rule.TryGetProperty("selection", out var selection) || selection.ValueKind != JsonValueKind.Object)
        {
            return "Each rule needs a 'selection' object";
        }

        var tagStatus = Text(selection, "tagStatus");
        if (tagStatus is not ("tagged" or "untagged" or "any"))
        {
            return "tagStatus must be tagged, untagged or any";
        }

        var hasPrefixes = selection.TryGetProperty("tagPrefixList", out var prefixes);
        var hasPatterns = selection.TryGetProperty("tagPatternList", out var patterns);
        if ((hasPrefixes && !IsStrings(prefixes)) || (hasPatterns && !IsStrings(patterns)))
        {
            return "tagPrefixList and tagPatternList must be non-empty lists of strings";
        }

        if (tagStatus == "tagged" && !hasPrefixes && !hasPatterns)
        {
            return "tagStatus tagged needs a tagPrefixList or a tagPatternList";
        }

        if (tagStatus == "untagged" && (hasPrefixes || hasPatterns))
        {
            return "tagStatus untagged takes no tagPrefixList or tagPatternList";
        }

        if (hasPatterns && patterns.EnumerateArray().Any(t => t.GetString()!.Count(c => c == '*') > MaxWildcards))
        {
            return $"A tag pattern may have at most {MaxWildcards} wildcards";
        }

        var countType = Text(selection, "countType");
        if (countType is not ("imageCountMoreThan" or "sinceImagePushed" or "sinceImagePulled" or "sinceImageTransitioned"))
        {
            return "countType must be imageCountMoreThan, sinceImagePushed, sinceImagePulled or sinceImageTransitioned";
        }

        var hasUnit = selection.TryGetProperty("countUnit", out var unit);
        if (countType != "imageCountMoreThan" && !hasUnit)
        {
            return $"countType {countType} needs countUnit";
        }

        if (hasUnit && (unit.ValueKind != JsonValueKind.String || unit.GetString() != "days"))
        {
            return "countUnit must be days";
        }

        if (!selection.TryGetProperty("countNumber", out var number) || number.ValueKind != JsonValueKind.Number || !number.TryGetInt32(out var count) || count < 1)
        {
            return "countNumber must be a positive integer";
        }

        return selection.TryGetProperty("storageClass", out _) && Text(selection, "storageClass") is not ("standard" or "archive")
            ? "storageClass must be standard or archive"
            : null;
    }

    /// <summary>
    /// "You cannot configure lifecycle policies that delete images that have been in archive for less than 90 days"
    /// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html): read strictly, an expire rule on the
    /// archive storage class must count days since the transition, at least 90 of them; one that counts images or
    /// days since the push could delete an image archived yesterday. Run after the selection and action checks.
    /// </summary>
    private static string? ArchiveMinimumProblem(JsonElement rule)
    {
        var selection = rule.GetProperty("selection");
        if (Text(selection, "storageClass") != "archive" || Text(rule.GetProperty("action"), "type") != "expire")
        {
            return null;
        }

        return Text(selection, "countType") == "sinceImageTransitioned" && selection.GetProperty("countNumber").GetInt32() >= MinArchiveDays
            ? null
            : $"An expire rule on archived images must use countType sinceImageTransitioned with countNumber at least {MinArchiveDays} (the archive's minimum storage duration)";
    }

    private static string? ActionProblem(JsonElement rule)
    {
        if (!rule.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.Object)
        {
            return "Each rule needs an 'action' object";
        }

        return Text(action, "type") switch
        {
            "expire" => null,
            "transition" => Text(action, "targetStorageClass") == "archive" ? null : "A transition action needs targetStorageClass archive",
            _ => "action type must be expire or transition",
        };
    }

    private static bool IsStrings(JsonElement value) =>
        value.ValueKind == JsonValueKind.Array && value.GetArrayLength() > 0 && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String);

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
