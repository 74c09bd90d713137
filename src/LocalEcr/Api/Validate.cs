using System.Text.RegularExpressions;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>Constraints from the ECR service model (botocore data/ecr/2015-09-21/service-2.json).</summary>
internal static partial class Validate
{
    // Patterns here and in Storage/Digests end in \z: .NET's $ also matches before a final "\n", so "app\n" would pass.
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*\\z")]
    private static partial Regex RepositoryNamePattern();

    [GeneratedRegex("^[0-9]{12}\\z")]
    private static partial Regex RegistryIdPattern();

    public static string RepositoryName(string name)
    {
        if (name.Length is < 2 or > 256 || !RepositoryNamePattern().IsMatch(name))
        {
            throw EcrException.InvalidParameter(
                $"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*' and have length 2..256'");
        }

        return name;
    }

    public static string RegistryId(string? id, string fallback)
    {
        if (id is null)
        {
            return fallback;
        }

        return RegistryIdPattern().IsMatch(id)
            ? id
            : throw EcrException.InvalidParameter("Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression '[0-9]{12}''");
    }

    // Not in the model, but ECR refuses other characters with this text (quoted in
    // https://github.com/alexjurkiewicz/ecr-scan-image/issues/40); the replicator's EcrNames.ValidateTag is the same rule.
    [GeneratedRegex("^[a-zA-Z0-9_.-]+\\z")]
    private static partial Regex TagPattern();

    /// <summary>An <c>imageTag</c> of PutImage or DescribeImages: the model's 1..300 characters, then ECR's character rule.</summary>
    public static string? Tag(string? tag)
    {
        if (tag is null)
        {
            return null;
        }

        if (tag.Length is < 1 or > 300)
        {
            throw EcrException.InvalidParameter("Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length between 1 and 300'");
        }

        return IsWellFormedTag(tag)
            ? tag
            : throw EcrException.InvalidParameter("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''");
    }

    /// <summary>ECR's character rule for a tag alone, for the batch operations, which report a failure instead of refusing the call.</summary>
    public static bool IsWellFormedTag(string tag) => TagPattern().IsMatch(tag);

    public static int? MaxResults(long? value, int max = 1000) => value switch
    {
        null => null,
        >= 1 when value <= max => (int)value,
        _ => throw EcrException.InvalidParameter($"Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and {max}'"),
    };

    public static void Count(int count, string name, int min, int max)
    {
        if (count < min || count > max)
        {
            throw EcrException.InvalidParameter($"Invalid parameter at '{name}' failed to satisfy constraint: 'Member must have length between {min} and {max}'");
        }
    }

    /// <summary>The <c>imageStatus</c>/<c>artifactStatus</c> filter: ACTIVE when absent, as the model documents.</summary>
    public static string StatusFilter(string? value, string field) => value switch
    {
        null => ImageStatuses.Active,
        ImageStatuses.Active or ImageStatuses.Archived or ImageStatuses.Activating or ImageStatuses.Any => value,
        _ => throw EcrException.InvalidParameter($"Invalid parameter at '{field}' failed to satisfy constraint: 'Member must satisfy enum value set: [ACTIVE, ARCHIVED, ACTIVATING, ANY]'"),
    };
}
