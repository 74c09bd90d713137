using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalEcr.Api;

/// <summary>
/// The IAM policy grammar a repository policy must follow, checked conservatively: what no IAM policy may contain
/// is refused, what users write is not. ECR refuses the rest with InvalidParameterException, "Invalid parameter at
/// 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'".
/// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html; a repository policy
/// is a resource-based policy, so each statement names a principal
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html).
/// </summary>
internal static class RepositoryPolicyCheck
{
    private static readonly HashSet<string> PolicyMembers = new(StringComparer.Ordinal) { "Version", "Id", "Statement" };

    private static readonly HashSet<string> StatementMembers = new(StringComparer.Ordinal)
    {
        "Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition",
    };

    // The principal kinds of the grammar's <principal_map>.
    private static readonly HashSet<string> PrincipalKinds = new(StringComparer.Ordinal) { "AWS", "Service", "Federated", "CanonicalUser" };

    /// <param name="force">SetRepositoryPolicy's <c>force</c>: without it, a policy that may lock the repository's
    /// policy out is refused (<see cref="MayLockOut"/>).</param>
    public static void Require(JsonElement policy, bool force)
    {
        if (!IsValid(policy))
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'");
        }

        if (!force && MayLockOut(policy))
        {
            // The wording is LocalEcr's: ECR's answer to an unforced lock-out is not documented (docs/fidelity.md).
            throw EcrException.InvalidParameter("Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The repository policy would prevent you from setting another policy in the future; set force to true to set it anyway'");
        }
    }

    /// <summary>
    /// Whether the policy denies ecr:SetRepositoryPolicy to anyone: the botocore model's SetRepositoryPolicy <c>force</c>
    /// says "If the policy you are attempting to set on a repository policy would prevent you from setting another policy
    /// in the future, you must force the SetRepositoryPolicy operation", without saying how ECR decides that. Stricter
    /// than any reading: every Deny statement whose actions cover SetRepositoryPolicy counts, whatever its principal and
    /// conditions, and so does a Deny with NotAction that does not name it.
    /// </summary>
    internal static bool MayLockOut(JsonElement policy)
    {
        var statement = policy.GetProperty("Statement");
        IEnumerable<JsonElement> statements = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray() : [statement];
        return statements.Any(s =>
            s.GetProperty("Effect").GetString() == "Deny"
            && (s.TryGetProperty("Action", out var actions)
                ? Strings(actions).Any(CoversSetRepositoryPolicy)
                : !Strings(s.GetProperty("NotAction")).Any(CoversSetRepositoryPolicy)));
    }

    // IAM action matching: case-insensitive, '*' any run of characters, '?' one character
    // (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html).
    private static bool CoversSetRepositoryPolicy(string action) =>
        Regex.IsMatch(
            "ecr:SetRepositoryPolicy",
            "^" + Regex.Escape(action).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant,
            TimeSpan.FromSeconds(1));

    private static IEnumerable<string> Strings(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? [value.GetString()!] : value.EnumerateArray().Select(e => e.GetString()!);

    private static bool IsValid(JsonElement policy)
    {
        if (policy.ValueKind != JsonValueKind.Object || policy.EnumerateObject().Any(p => !PolicyMembers.Contains(p.Name)))
        {
            return false;
        }

        // The grammar's two versions; "2012-10-17" is current, "2008-10-17" older.
        if (policy.TryGetProperty("Version", out var version) && (version.ValueKind != JsonValueKind.String || version.GetString() is not ("2012-10-17" or "2008-10-17")))
        {
            return false;
        }

        if (!policy.TryGetProperty("Statement", out var statement))
        {
            return false;
        }

        return statement.ValueKind switch
        {
            JsonValueKind.Object => IsValidStatement(statement),
            // An empty list is kept: it grants nothing, and whether ECR refuses it is not documented.
            JsonValueKind.Array => statement.EnumerateArray().All(IsValidStatement),
            _ => false,
        };
    }

    private static bool IsValidStatement(JsonElement statement)
    {
        if (statement.ValueKind != JsonValueKind.Object || statement.EnumerateObject().Any(p => !StatementMembers.Contains(p.Name)))
        {
            return false;
        }

        return statement.TryGetProperty("Effect", out var effect) && effect.ValueKind == JsonValueKind.String && effect.GetString() is "Allow" or "Deny"
            && ExactlyOne(statement, "Principal", "NotPrincipal", IsValidPrincipal)
            && ExactlyOne(statement, "Action", "NotAction", IsValidActions)
            && (!statement.TryGetProperty("Sid", out var sid) || sid.ValueKind == JsonValueKind.String)
            && (!statement.TryGetProperty("Condition", out var condition) || condition.ValueKind == JsonValueKind.Object);
    }

    private static bool ExactlyOne(JsonElement statement, string name, string notName, Func<JsonElement, bool> isValid)
    {
        var has = statement.TryGetProperty(name, out var value);
        var hasNot = statement.TryGetProperty(notName, out var notValue);
        return has != hasNot && isValid(has ? value : notValue);
    }

    // "*", or a map of principal kinds to one string or a non-empty list of strings.
    private static bool IsValidPrincipal(JsonElement principal) =>
        principal.ValueKind == JsonValueKind.String ? principal.GetString() == "*"
        : principal.ValueKind == JsonValueKind.Object
            && principal.EnumerateObject().Any()
            && principal.EnumerateObject().All(p => PrincipalKinds.Contains(p.Name) && IsStringOrStrings(p.Value, _ => true));

    // ECR's actions: "*" or "ecr:NAME", NAME possibly with wildcards ("ecr:*", "ecr:Batch*"); the service prefix is
    // case-insensitive in IAM.
    private static bool IsValidActions(JsonElement actions) => IsStringOrStrings(actions, IsEcrAction);

    private static bool IsEcrAction(string action) =>
        action == "*"
        || (action.StartsWith("ecr:", StringComparison.OrdinalIgnoreCase)
            && action.Length > 4
            && action.AsSpan(4).IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*?") < 0);

    private static bool IsStringOrStrings(JsonElement value, Func<string, bool> isValid) =>
        value.ValueKind switch
        {
            JsonValueKind.String => isValid(value.GetString()!),
            JsonValueKind.Array => value.GetArrayLength() > 0 && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String && isValid(e.GetString()!)),
            _ => false,
        };
}
