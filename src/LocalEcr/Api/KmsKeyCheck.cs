using System.Text.RegularExpressions;

namespace LocalEcr.Api;

/// <summary>
/// What CreateRepository can tell about <c>encryptionConfiguration.kmsKey</c> without a KMS: the model's
/// EncryptionConfiguration.kmsKey says the key is for the <c>KMS</c> encryption type, is "the alias, key ID, or full
/// ARN of the KMS key", and "must exist in the same Region as the repository". LocalEcr has no keys to look up, so a
/// well-formed key id or alias is taken on trust; a key it can see is wrong (another region or partition, a form KMS
/// does not have) is refused the way ECR reports a failed KMS call: KmsException, whose kmsError member carries KMS's
/// error code (here NotFoundException, what KMS answers for a key it does not hold).
/// </summary>
internal static partial class KmsKeyCheck
{
    public static void Check(string? kmsKey, string encryptionType, string region)
    {
        if (kmsKey is null)
        {
            return;
        }

        // The model names kmsKey for the KMS types only; sent with AES256 it is a contradiction ECR is not documented
        // to ignore, so LocalEcr takes the stricter reading and refuses it.
        if (encryptionType == "AES256")
        {
            throw EcrException.InvalidParameter("Invalid parameter: kmsKey can only be specified when encryptionType is KMS or KMS_DSSE");
        }

        var arn = ArnPattern().Match(kmsKey);
        var problem = !kmsKey.StartsWith("arn:", StringComparison.Ordinal)
            ? KeyIdPattern().IsMatch(kmsKey) || AliasPattern().IsMatch(kmsKey) ? null : "is not a key id, key ARN, alias name or alias ARN"
            : !arn.Success ? "is not a well-formed KMS key or alias ARN"
            : arn.Groups["partition"].Value != RegionPartition.IdOf(region) || arn.Groups["region"].Value != region
                ? $"is not in the repository's region {region}"
                : null;
        if (problem is not null)
        {
            throw new EcrException("KmsException", $"The KMS key '{kmsKey}' {problem}", members: w => w.WriteString("kmsError", "NotFoundException"));
        }
    }

    // KMS key ids: a UUID, or mrk- and 32 hex digits for a multi-Region key
    // (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id-key-id).
    [GeneratedRegex(@"^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdPattern();

    // Alias names: alias/ and letters, digits, '/', '_' or '-' (KMS CreateAlias, AliasName).
    [GeneratedRegex(@"^alias/[a-zA-Z0-9/_-]{1,250}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AliasPattern();

    // The account is twelve ASCII digits, as the model's RegistryId pattern [0-9]{12}: never \d, which in .NET also
    // matches other Unicode decimal digits (Arabic-Indic, fullwidth, ...).
    [GeneratedRegex(@"^arn:(?<partition>[a-z-]+):kms:(?<region>[a-z0-9-]+):[0-9]{12}:(key/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-fA-F]{32})|alias/[a-zA-Z0-9/_-]{1,250})\z", RegexOptions.CultureInvariant)]
    private static partial Regex ArnPattern();
}
