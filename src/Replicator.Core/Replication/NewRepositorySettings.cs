using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>
/// What a new destination repository is created with, decided from the source's settings without a call: the
/// CreateRepository request, its encryption, and whether the source's repository policy follows it.
/// <see cref="RepositoryProvisioner"/> makes the calls; the dry run (<see cref="ReplicationPreviewer"/>) says what they
/// would be.
/// </summary>
internal static class NewRepositorySettings
{
    /// <summary>
    /// Tags per resource (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-using-tags.html: "a maximum of
    /// 50 tags"). A source with that many leaves no room for the marker: its replica is created without one.
    /// </summary>
    private const int MaxTags = 50;

    /// <summary>
    /// Whether the source's repository policy is copied to a destination: only in the source's own account and
    /// partition. A policy names principals by ARN. In another partition those ARNs are of the wrong partition, and
    /// ECR refuses the policy (SetRepositoryPolicy fails with InvalidParameterException, after CreateRepository);
    /// in another account it would silently grant the source account's principals access to the destination's
    /// images. There the destination's owner sets its own policy. Which account a destination is in is
    /// <see cref="ReplicationDestination.IsInSourceAccount"/>'s rule: a bare REGION written with an SSM key pair is
    /// another account even in the source's partition (and its IAM user is not granted ecr:SetRepositoryPolicy).
    /// A source repository whose ARN cannot be read copies nothing.
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
    /// </summary>
    internal static bool CopiesRepositoryPolicy(Repository source, ReplicationDestination destination, bool withSourceCredentials)
    {
        // arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME
        var arn = source.RepositoryArn?.Split(':', 6);
        if (arn is not { Length: 6 } || arn[0] != "arn")
        {
            return false;
        }

        return destination.IsInSourceAccount(arn[1], source.RegistryId ?? arn[4], withSourceCredentials);
    }

    /// <summary>
    /// The CreateRepository request for a copy of the source's settings, holding only what ECR accepts:
    /// exclusion filters only with a *_WITH_EXCLUSION mutability and at least one filter (the model's list is
    /// 1..5), and no tag whose key starts with "aws:", a prefix reserved for AWS that CloudFormation puts on
    /// the repositories it creates (aws:cloudformation:stack-name...) and that no caller may set
    /// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). The model requires a tag's Value.
    /// The source's own <see cref="RepositoryProvisioner.ProvisioningTagKey"/> (a replica being replicated) is dropped;
    /// this request carries the marker only when settings follow it (<paramref name="withProvisioningTag"/>) and the tag
    /// limit leaves room.
    /// </summary>
    internal static CreateRepositoryRequest CreateRequest(string? registryId, string repositoryName, SourceRepositorySettings source, EncryptionConfiguration? encryption, bool withProvisioningTag = false)
    {
        var mutability = source.Repository.ImageTagMutability;
        var filters = source.Repository.ImageTagMutabilityExclusionFilters;
        var withExclusion = mutability is ImageTagMutability.ImmutableWithExclusion or ImageTagMutability.MutableWithExclusion;
        if (withExclusion && filters is not { Count: > 0 })
        {
            // A *_WITH_EXCLUSION setting without filters (ECR never reports one, but the source's answer is not ours to
            // trust) means the plain setting, and ECR refuses it without at least one filter (LocalEcr does too): ask
            // for what it means.
            mutability = mutability == ImageTagMutability.ImmutableWithExclusion ? ImageTagMutability.Immutable : ImageTagMutability.Mutable;
            withExclusion = false;
        }

        List<Tag> tags = [.. source.Tags
            .Where(t => t.Key is { Length: > 0 } key && !key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) && !IsProvisioningTag(t))
            .Select(t => new Tag { Key = t.Key, Value = t.Value ?? string.Empty })];
        if (withProvisioningTag && tags.Count < MaxTags)
        {
            tags.Add(new Tag { Key = RepositoryProvisioner.ProvisioningTagKey, Value = RepositoryProvisioner.ProvisioningTagValue });
        }

        return new CreateRepositoryRequest
        {
            RegistryId = registryId,
            RepositoryName = repositoryName,
            ImageTagMutability = mutability,
            ImageTagMutabilityExclusionFilters = withExclusion ? filters : null,
            ImageScanningConfiguration = source.Repository.ImageScanningConfiguration,
            EncryptionConfiguration = encryption,
            Tags = tags.Count == 0 ? null : tags,
        };
    }

    /// <summary>
    /// The encryption a new repository in <paramref name="destination"/> is created with, from the source's: the same
    /// type, and for a KMS type the destination's key of <paramref name="kmsKeys"/>. Throws KmsKeyNotConfigured (permanent)
    /// when there is none. Shared with the dry run (<see cref="ReplicationPreviewer"/>), which must say what the copy would.
    /// </summary>
    internal static EncryptionConfiguration? DestinationEncryption(IReadOnlyDictionary<string, string> kmsKeys, EncryptionConfiguration? source, ReplicationDestination destination)
    {
        if (source?.EncryptionType is null or "AES256")
        {
            return source;
        }

        // KMS and KMS_DSSE keys live in one region: the source's key cannot protect another region's repository. The
        // destination's own entry (ACCOUNT:REGION) comes first, so another account's repository is not encrypted with
        // the key meant for this account's repositories in that region. A bare REGION destination has no other
        // spelling: its REGION entry is its own, whoever's credentials write there (an SSM key pair's account too).
        if ((destination.RegistryId is not null && kmsKeys.TryGetValue(destination.ToString(), out var key))
            || kmsKeys.TryGetValue(destination.Region, out key))
        {
            return new EncryptionConfiguration { EncryptionType = source.EncryptionType, KmsKey = key };
        }

        throw new ReplicationException(
            ReplicationErrorCodes.KmsKeyNotConfigured,
            $"the source repository is encrypted with {source.EncryptionType}; configure a KMS key for destination {destination} or region {destination.Region} (ReplicatorOptions.KmsKeyIds / DESTINATION_KMS_KEYS)",
            isTransient: false);
    }

    /// <summary>Whether <paramref name="tag"/> is the marker of a repository whose settings are still to be applied.</summary>
    internal static bool IsProvisioningTag(Tag tag) => string.Equals(tag.Key, RepositoryProvisioner.ProvisioningTagKey, StringComparison.Ordinal);
}
