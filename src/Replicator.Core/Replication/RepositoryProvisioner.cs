using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Partitions;

namespace Replicator.Core.Replication;

/// <summary>
/// Creates a missing destination repository with the source's settings: tag mutability (with exclusion
/// filters), scan on push, resource tags, lifecycle policy, repository policy (in the source's account and partition
/// only) and encryption. A KMS key is regional and belongs to one account, so KMS encryption needs a key configured
/// for the destination (<see cref="ReplicatorOptions.KmsKeyIds"/>).
/// </summary>
internal sealed class RepositoryProvisioner
{
    private readonly IReadOnlyDictionary<string, string> _kmsKeys;

    public RepositoryProvisioner(IReadOnlyDictionary<string, string> kmsKeys)
    {
        _kmsKeys = kmsKeys;
    }

    /// <summary>Reads the source repository's settings (once per request; shared by its destinations).</summary>
    public async Task<SourceRepositorySettings> ReadSourceAsync(IEcrClient source, string? registryId, string repositoryName, CancellationToken cancellationToken)
    {
        var described = await source.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RegistryId = registryId, RepositoryNames = [repositoryName] }, cancellationToken);
        var repository = described.Repositories?.FirstOrDefault()
            ?? throw new ReplicationException(EcrErrorCodes.RepositoryNotFoundException, $"source repository '{repositoryName}' was not described", isTransient: false);

        var tags = await source.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = repository.RepositoryArn }, cancellationToken);

        var lifecycle = await ReadOptionalAsync(
            EcrErrorCodes.LifecyclePolicyNotFoundException,
            async () => (await source.GetLifecyclePolicyAsync(new GetLifecyclePolicyRequest { RegistryId = registryId, RepositoryName = repositoryName }, cancellationToken)).LifecyclePolicyText);

        var policy = await ReadOptionalAsync(
            EcrErrorCodes.RepositoryPolicyNotFoundException,
            async () => (await source.GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RegistryId = registryId, RepositoryName = repositoryName }, cancellationToken)).PolicyText);

        return new SourceRepositorySettings(repository, tags.Tags ?? [], lifecycle, policy);
    }

    /// <summary>Creates the repository in the destination; true when this call created it, false when it already existed.</summary>
    public async Task<bool> CreateAsync(IEcrClient destination, string destinationRegion, string? registryId, string repositoryName, SourceRepositorySettings source, CancellationToken cancellationToken)
    {
        var request = CreateRequest(registryId, repositoryName, source, DestinationEncryption(source.Repository.EncryptionConfiguration, new ReplicationDestination(destinationRegion, registryId)));

        try
        {
            await destination.CreateRepositoryAsync(request, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryAlreadyExistsException)
        {
            // Another invocation created it between our check and this call: theirs has the same settings.
            return false;
        }

        if (source.LifecyclePolicyText is { } lifecycle)
        {
            await destination.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, LifecyclePolicyText = lifecycle }, cancellationToken);
        }

        if (source.RepositoryPolicyText is { } policy && CopiesRepositoryPolicy(source.Repository, destinationRegion, registryId))
        {
            await destination.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, PolicyText = policy }, cancellationToken);
        }

        return true;
    }

    /// <summary>
    /// Whether the source's repository policy is copied to a destination: only in the source's own account and
    /// partition. A policy names principals by ARN. In another partition those ARNs are of the wrong partition, and
    /// ECR refuses the policy (SetRepositoryPolicy fails with InvalidParameterException, after CreateRepository);
    /// in another account it would silently grant the source account's principals access to the destination's
    /// images. There the destination's owner sets its own policy. A destination without an account is in the
    /// source's account (DESTINATION_REGIONS, REGION). A source repository whose ARN cannot be read copies nothing.
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policies.html
    /// </summary>
    internal static bool CopiesRepositoryPolicy(Repository source, string destinationRegion, string? destinationRegistryId)
    {
        // arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME
        var arn = source.RepositoryArn?.Split(':', 6);
        if (arn is not { Length: 6 } || arn[0] != "arn")
        {
            return false;
        }

        var sourceAccount = source.RegistryId ?? arn[4];
        return arn[1] == AwsPartitions.IdOf(destinationRegion) && (destinationRegistryId is null || destinationRegistryId == sourceAccount);
    }

    /// <summary>
    /// The CreateRepository request for a copy of the source's settings, holding only what ECR accepts:
    /// exclusion filters only with a *_WITH_EXCLUSION mutability and at least one filter (the model's list is
    /// 1..5), and no tag whose key starts with "aws:", a prefix reserved for AWS that CloudFormation puts on
    /// the repositories it creates (aws:cloudformation:stack-name...) and that no caller may set
    /// (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html). The model requires a tag's Value.
    /// </summary>
    internal static CreateRepositoryRequest CreateRequest(string? registryId, string repositoryName, SourceRepositorySettings source, EncryptionConfiguration? encryption)
    {
        var mutability = source.Repository.ImageTagMutability;
        var filters = source.Repository.ImageTagMutabilityExclusionFilters;
        var withExclusion = mutability is ImageTagMutability.ImmutableWithExclusion or ImageTagMutability.MutableWithExclusion;
        List<Tag> tags = [.. source.Tags
            .Where(t => t.Key is { Length: > 0 } key && !key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            .Select(t => new Tag { Key = t.Key, Value = t.Value ?? string.Empty })];
        return new CreateRepositoryRequest
        {
            RegistryId = registryId,
            RepositoryName = repositoryName,
            ImageTagMutability = mutability,
            ImageTagMutabilityExclusionFilters = withExclusion && filters is { Count: > 0 } ? filters : null,
            ImageScanningConfiguration = source.Repository.ImageScanningConfiguration,
            EncryptionConfiguration = encryption,
            Tags = tags.Count == 0 ? null : tags,
        };
    }

    private EncryptionConfiguration? DestinationEncryption(EncryptionConfiguration? source, ReplicationDestination destination)
    {
        if (source?.EncryptionType is null or "AES256")
        {
            return source;
        }

        // KMS and KMS_DSSE keys live in one region: the source's key cannot protect another region's repository. The
        // destination's own entry (ACCOUNT:REGION) comes first, so another account's repository is not encrypted with
        // the key meant for this account's repositories in that region.
        if ((destination.RegistryId is not null && _kmsKeys.TryGetValue(destination.ToString(), out var key))
            || _kmsKeys.TryGetValue(destination.Region, out key))
        {
            return new EncryptionConfiguration { EncryptionType = source.EncryptionType, KmsKey = key };
        }

        throw new ReplicationException(
            ReplicationErrorCodes.KmsKeyNotConfigured,
            $"the source repository is encrypted with {source.EncryptionType}; configure a KMS key for destination {destination} or region {destination.Region} (ReplicatorOptions.KmsKeyIds / DESTINATION_KMS_KEYS)",
            isTransient: false);
    }

    private static async Task<string?> ReadOptionalAsync(string notFoundCode, Func<Task<string?>> read)
    {
        try
        {
            return await read();
        }
        catch (EcrException e) when (e.ErrorCode == notFoundCode)
        {
            return null;
        }
    }
}
