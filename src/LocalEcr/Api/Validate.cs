using System.Text.RegularExpressions;
using LocalEcr.Storage;

namespace LocalEcr.Api;

/// <summary>Constraints from the ECR service model (botocore data/ecr/2015-09-21/service-2.json).</summary>
internal static partial class Validate
{
    [GeneratedRegex("^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(\\/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryNamePattern();

    [GeneratedRegex("^[0-9]{12}$")]
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

    public static string? Tag(string? tag) => tag is null || tag.Length is >= 1 and <= 300
        ? tag
        : throw EcrException.InvalidParameter("Invalid parameter at 'imageTag' failed to satisfy constraint: 'Member must have length between 1 and 300'");

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
