using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>
/// Creates a missing destination repository with the source's settings: tag mutability (with exclusion
/// filters), scan on push, resource tags, lifecycle policy, repository policy and encryption. A KMS key is
/// regional, so KMS encryption needs a key configured for the destination region.
/// </summary>
internal sealed class RepositoryProvisioner
{
    private readonly EcrCallRunner _calls;
    private readonly IReadOnlyDictionary<string, string> _kmsKeysByRegion;

    public RepositoryProvisioner(EcrCallRunner calls, IReadOnlyDictionary<string, string> kmsKeysByRegion)
    {
        _calls = calls;
        _kmsKeysByRegion = kmsKeysByRegion;
    }

    /// <summary>Reads the source repository's settings (once per request; shared by its destinations).</summary>
    public async Task<SourceRepositorySettings> ReadSourceAsync(IEcrClient source, string? registryId, string repositoryName, CancellationToken cancellationToken)
    {
        var described = await _calls.RunAsync(
            "DescribeRepositories",
            (source, registryId, repositoryName),
            static (s, ct) => s.source.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RegistryId = s.registryId, RepositoryNames = [s.repositoryName] }, ct),
            cancellationToken);
        var repository = described.Repositories?.FirstOrDefault()
            ?? throw new ReplicationException("RepositoryNotFoundException", $"source repository '{repositoryName}' was not described", isTransient: false);

        var tags = await _calls.RunAsync(
            "ListTagsForResource",
            (source, repository.RepositoryArn),
            static (s, ct) => s.source.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = s.RepositoryArn }, ct),
            cancellationToken);

        var lifecycle = await ReadOptionalAsync(
            "GetLifecyclePolicy",
            EcrErrorCodes.LifecyclePolicyNotFoundException,
            (source, registryId, repositoryName),
            static async (s, ct) => (await s.source.GetLifecyclePolicyAsync(new GetLifecyclePolicyRequest { RegistryId = s.registryId, RepositoryName = s.repositoryName }, ct)).LifecyclePolicyText,
            cancellationToken);

        var policy = await ReadOptionalAsync(
            "GetRepositoryPolicy",
            EcrErrorCodes.RepositoryPolicyNotFoundException,
            (source, registryId, repositoryName),
            static async (s, ct) => (await s.source.GetRepositoryPolicyAsync(new GetRepositoryPolicyRequest { RegistryId = s.registryId, RepositoryName = s.repositoryName }, ct)).PolicyText,
            cancellationToken);

        return new SourceRepositorySettings(repository, tags.Tags ?? [], lifecycle, policy);
    }

    /// <summary>Creates the repository in the destination; true when this call created it, false when it already existed.</summary>
    public async Task<bool> CreateAsync(IEcrClient destination, string destinationRegion, string? registryId, string repositoryName, SourceRepositorySettings source, CancellationToken cancellationToken)
    {
        var request = CreateRequest(registryId, repositoryName, source, DestinationEncryption(source.Repository.EncryptionConfiguration, destinationRegion));

        try
        {
            await _calls.RunAsync("CreateRepository", (destination, request), static (s, ct) => s.destination.CreateRepositoryAsync(s.request, ct), cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryAlreadyExistsException)
        {
            // Another invocation created it between our check and this call: theirs has the same settings.
            return false;
        }

        if (source.LifecyclePolicyText is { } lifecycle)
        {
            await _calls.RunAsync(
                "PutLifecyclePolicy",
                (destination, registryId, repositoryName, lifecycle),
                static (s, ct) => s.destination.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RegistryId = s.registryId, RepositoryName = s.repositoryName, LifecyclePolicyText = s.lifecycle }, ct),
                cancellationToken);
        }

        if (source.RepositoryPolicyText is { } policy)
        {
            await _calls.RunAsync(
                "SetRepositoryPolicy",
                (destination, registryId, repositoryName, policy),
                static (s, ct) => s.destination.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RegistryId = s.registryId, RepositoryName = s.repositoryName, PolicyText = s.policy }, ct),
                cancellationToken);
        }

        return true;
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

    private EncryptionConfiguration? DestinationEncryption(EncryptionConfiguration? source, string destinationRegion)
    {
        if (source?.EncryptionType is null or "AES256")
        {
            return source;
        }

        // KMS and KMS_DSSE keys live in one region: the source's key cannot protect another region's repository.
        if (_kmsKeysByRegion.TryGetValue(destinationRegion, out var key))
        {
            return new EncryptionConfiguration { EncryptionType = source.EncryptionType, KmsKey = key };
        }

        throw new ReplicationException(
            ReplicationErrorCodes.KmsKeyNotConfigured,
            $"the source repository is encrypted with {source.EncryptionType}; configure a KMS key for destination region {destinationRegion} (ReplicatorOptions.KmsKeyIds / DESTINATION_KMS_KEYS)",
            isTransient: false);
    }

    private async Task<string?> ReadOptionalAsync<TState>(string operation, string notFoundCode, TState state, Func<TState, CancellationToken, Task<string?>> read, CancellationToken cancellationToken)
    {
        try
        {
            return await _calls.RunAsync(operation, state, read, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == notFoundCode)
        {
            return null;
        }
    }
}
