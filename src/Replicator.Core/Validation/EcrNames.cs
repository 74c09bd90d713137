using System.Text.RegularExpressions;

namespace Replicator.Core.Validation;

/// <summary>
/// The ECR naming rules (botocore's ECR model, botocore/data/ecr/2015-09-21/service-2.json), checked before any value
/// reaches a request. Each Validate method returns null when the value is valid, else a message naming
/// the field and what is wrong with it (the value is quoted, cut to a safe length).
/// </summary>
public static partial class EcrNames
{
    public const int MaxRepositoryNameLength = 256;
    /// <summary>The model's <c>ImageTag</c> length bound (1..300).</summary>
    public const int MaxTagLength = 300;

    // Model: [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*
    [GeneratedRegex(@"^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RepositoryNamePattern();

    // ECR's rule for a tag: the model's ImageTag bounds the length (1..300), and ECR refuses other characters with
    // "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''"
    // (quoted in https://github.com/alexjurkiewicz/ecr-scan-image/issues/40). ECR accepts what the OCI distribution
    // spec's stricter tag grammar (at most 128, no leading '.' or '-') would refuse, so an event naming such a tag
    // is a real push and must be copied, not dead-lettered.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,300}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RegistryIdPattern();

    // us-east-1, us-gov-west-1, cn-northwest-1, eu-central-2, ap-southeast-7, il-central-1, eusc-de-east-1 ...
    [GeneratedRegex(@"^[a-z]{2,4}(?:-[a-z]+){1,3}-[0-9]{1,2}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex RegionPattern();

    /// <summary>
    /// A repository's ARN, arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME, the partition found from the region
    /// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html).
    /// </summary>
    public static string RepositoryArn(string region, string account, string repository) =>
        $"arn:{Partitions.AwsPartitions.IdOf(region)}:ecr:{region}:{account}:repository/{repository}";

    public static string? ValidateRepositoryName(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "repository name is missing";
        }

        if (value.Length < 2 || value.Length > MaxRepositoryNameLength)
        {
            return $"repository name {Quote(value)} must be 2 to {MaxRepositoryNameLength} characters long";
        }

        return RepositoryNamePattern().IsMatch(value)
            ? null
            : $"repository name {Quote(value)} is invalid: lowercase letters and digits, separated by '.', '_', '__', '-' or '/'";
    }

    /// <summary>
    /// True when some repository name the model's pattern admits starts with <paramref name="prefix"/> (non-empty): its
    /// characters are ECR's, and its separators are ones ECR allows ('.', '_', '__', a run of '-', or '/', each between
    /// letters or digits), so "team//", "team-/", "a.." or "a___" are not. A prefix may end in a separator, which the
    /// next letter completes; and after any start of a valid name a letter is always allowed, so appending one decides it.
    /// The name must also fit ECR's <see cref="MaxRepositoryNameLength"/>: a prefix of that length must be a whole name,
    /// since one ending in a separator needs a letter more (see <see cref="PrefixTooLong"/>).
    /// </summary>
    public static bool CanStartRepositoryName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length > 0 && !PrefixTooLong(prefix) && RepositoryNamePattern().IsMatch(prefix + "a");
    }

    /// <summary>
    /// True when every repository name that starts with <paramref name="prefix"/> is longer than ECR allows: the prefix is
    /// longer than <see cref="MaxRepositoryNameLength"/>, or exactly as long and not a name itself (it ends in a
    /// separator, or holds a character no name has).
    /// </summary>
    public static bool PrefixTooLong(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return prefix.Length > MaxRepositoryNameLength
            || (prefix.Length == MaxRepositoryNameLength && !RepositoryNamePattern().IsMatch(prefix));
    }

    public static string? ValidateTag(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "image tag is missing";
        }

        return TagPattern().IsMatch(value)
            ? null
            : $"image tag {Quote(value)} is invalid: ECR's tag rule is 1 to {MaxTagLength} characters of letters, digits, '_', '.' and '-'";
    }

    public static string? ValidateDigest(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "image digest is missing";
        }

        return IsDigest(value)
            ? null
            : $"image digest {Quote(value)} is invalid: expected sha256: and 64 lowercase hex digits (or sha512: and 128)";
    }

    public static string? ValidateRegistryId(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "account (registry id) is missing";
        }

        return RegistryIdPattern().IsMatch(value) ? null : $"account (registry id) {Quote(value)} is invalid: expected 12 digits";
    }

    public static string? ValidateRegion(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "region is missing";
        }

        return RegionPattern().IsMatch(value) ? null : $"region {Quote(value)} is not an AWS region name such as us-east-1";
    }

    public static bool IsRepositoryName(string? value) => ValidateRepositoryName(value) is null;

    public static bool IsTag(string? value) => ValidateTag(value) is null;

    /// <summary>
    /// The one digest grammar (Manifests' <c>Digest.IsValid</c> is this): the algorithms the OCI image spec registers
    /// (descriptor.md, "Registered algorithms"), <c>sha256:</c> and 64 lowercase hex digits or <c>sha512:</c> and 128.
    /// </summary>
    public static bool IsDigest(string? value) =>
        value is not null && (IsHexAfter(value, "sha256:", 64) || IsHexAfter(value, "sha512:", 128));

    public static bool IsRegistryId(string? value) => ValidateRegistryId(value) is null;

    public static bool IsRegion(string? value) => ValidateRegion(value) is null;

    private static bool IsHexAfter(string value, string prefix, int digits)
    {
        if (value.Length != prefix.Length + digits || !value.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in value.AsSpan(prefix.Length))
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Quotes a value for an error message, cut to 80 characters and with control characters escaped.</summary>
    public static string Quote(string value)
    {
        const int max = 80;
        var cut = value;
        if (value.Length > max)
        {
            // Not between the two halves of a surrogate pair (an emoji): half of one is no character, and a log writer
            // or the dead-letter reason's UTF-8 would turn it into U+FFFD.
            var end = char.IsHighSurrogate(value[max - 1]) ? max - 1 : max;
            cut = value[..end] + $"...({value.Length} chars)";
        }

        var builder = new System.Text.StringBuilder(cut.Length + 2).Append('\'');
        foreach (var c in cut)
        {
            _ = char.IsControl(c) ? builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:x4}") : builder.Append(c);
        }

        return builder.Append('\'').ToString();
    }
}
