using System.Collections.Concurrent;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Validation;

namespace Replicator.Core.Replication;

/// <summary>
/// Creates a missing destination repository with the source's settings: tag mutability (with exclusion
/// filters), scan on push, resource tags, lifecycle policy, repository policy (in the source's account and partition
/// only) and encryption. A KMS key is regional and belongs to one account, so KMS encryption needs a key configured
/// for the destination (<see cref="ReplicatorOptions.KmsKeyIds"/>).
/// </summary>
/// <remarks>
/// CreateRepository cannot carry a lifecycle or repository policy: each is a call of its own after it, and a run can
/// stop between them (the invocation's deadline, a refusal, throttling past the retry budget). The repository then
/// exists, so the next run would never create it again, nor apply what was missing. So a repository that has such
/// settings still to come is created with the tag <see cref="ProvisioningTagKey"/> (in the same request, so no
/// repository exists without it), which is removed once they are applied; a later copy into a repository that still
/// has it applies them first (<see cref="CompleteAsync"/>).
/// </remarks>
internal sealed class RepositoryProvisioner
{
    /// <summary>
    /// The tag key of a destination repository whose creation has not finished: its lifecycle and repository policy
    /// are still to be applied. Never copied from a source repository (a chain of replicas would otherwise carry it on).
    /// </summary>
    public const string ProvisioningTagKey = "ecr-replicator:provisioning";

    /// <summary>Tag values may hold letters, digits, spaces and _ . : / = + - @ (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).</summary>
    public const string ProvisioningTagValue = "settings pending - the replicator applies the lifecycle and repository policy of the source then removes this tag";

    /// <summary>Bounds <see cref="_settled"/>: past it the set starts again (each repository costs one more check).</summary>
    private const int MaxSettled = 10_000;

    private readonly IReadOnlyDictionary<string, string> _kmsKeys;

    /// <summary>
    /// Destination repositories this engine found or left without <see cref="ProvisioningTagKey"/>: the marker is put
    /// only by a CreateRepository, so a repository checked once is not checked again by this engine (a warm function
    /// instance reads each repository's tags once). One recreated by another instance after a deletion is checked
    /// again by every new instance.
    /// </summary>
    private readonly ConcurrentDictionary<(string Region, string? RegistryId, string Repository), byte> _settled = new();

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

    /// <summary>
    /// Creates the repository in the destination with the source's settings. Created: true when this call created it,
    /// false when it already existed (then <see cref="CompleteAsync"/> finishes a creation another run left undone).
    /// Note: a lifecycle policy the writer may not set, and a marker left for want of ecr:UntagResource, as
    /// <see cref="CompleteAsync"/> reports them.
    /// </summary>
    /// <param name="withSourceCredentials">Whether <paramref name="destination"/> signs with the replicator's own
    /// credentials (<see cref="IDestinationClients.WritesWithSourceCredentials"/>): who owns a bare REGION destination.</param>
    public async Task<(bool Created, string? Note)> CreateAsync(IEcrClient destination, ReplicationDestination target, bool withSourceCredentials, string repositoryName, SourceRepositorySettings source, CancellationToken cancellationToken)
    {
        var key = (target.Region, target.RegistryId, repositoryName);
        _settled.TryRemove(key, out _);
        var settings = SettingsFor(source, target, withSourceCredentials);
        var request = NewRepositorySettings.CreateRequest(target.RegistryId, repositoryName, source, NewRepositorySettings.DestinationEncryption(_kmsKeys, source.Repository.EncryptionConfiguration, target), !settings.IsEmpty);

        CreateRepositoryResponse created;
        try
        {
            created = await destination.CreateRepositoryAsync(request, cancellationToken);
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.RepositoryAlreadyExistsException)
        {
            // Another invocation created it between our check and this call; the caller checks whether it finished.
            return (false, null);
        }

        var appliedNote = await ApplyAsync(destination, target.RegistryId, repositoryName, settings, cancellationToken);
        string? tagNote = null;
        if (request.Tags?.Any(NewRepositorySettings.IsProvisioningTag) == true)
        {
            var arn = created.Repository?.RepositoryArn ?? await RepositoryArnAsync(destination, target, repositoryName, cancellationToken);
            tagNote = await RemoveProvisioningTagAsync(destination, arn, repositoryName, cancellationToken);
        }

        Settle(key);
        return (true, ResultNotes.Join(appliedNote, tagNote));
    }

    /// <summary>
    /// Before a copy into a repository that already exists: when its creation was cut short (it still has
    /// <see cref="ProvisioningTagKey"/>), applies the source's lifecycle and repository policy as
    /// <see cref="CreateAsync"/> would, then removes the tag. Otherwise nothing: a policy an operator removed from the
    /// replica since stays removed. Costs DescribeRepositories (for the ARN, unless the destination names its account)
    /// and ListTagsForResource, once per repository and engine. Returns a note for the result when the tags could not
    /// be read or the tag removed for want of a permission (a destination role deployed before these calls were
    /// granted), or the lifecycle policy was not set for want of ecr:PutLifecyclePolicy: the copy goes on as it did
    /// before.
    /// </summary>
    /// <param name="knownArn">The repository's ARN when the caller read it already (the immutable tag check), else null.</param>
    public async Task<string?> CompleteAsync(IEcrClient destination, ReplicationDestination target, bool withSourceCredentials, string repositoryName, Lazy<Task<SourceRepositorySettings>> source, string? knownArn, CancellationToken cancellationToken)
    {
        var key = (target.Region, target.RegistryId, repositoryName);
        if (_settled.ContainsKey(key))
        {
            return null;
        }

        var arn = knownArn ?? await RepositoryArnAsync(destination, target, repositoryName, cancellationToken);
        List<Tag> tags;
        try
        {
            tags = (await destination.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceArn = arn }, cancellationToken)).Tags ?? [];
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.AccessDeniedException)
        {
            Settle(key);
            return $"the tags of destination repository {repositoryName} could not be read ({e.ErrorCode}): grant ecr:ListTagsForResource and ecr:UntagResource on it (the writer's policy: destination-role.yaml in another account) so that a repository creation cut short is completed";
        }

        if (tags.Any(NewRepositorySettings.IsProvisioningTag))
        {
            var appliedNote = await ApplyAsync(destination, target.RegistryId, repositoryName, SettingsFor(await source.Value, target, withSourceCredentials), cancellationToken);
            var tagNote = await RemoveProvisioningTagAsync(destination, arn, repositoryName, cancellationToken);
            Settle(key);
            return ResultNotes.Join(appliedNote, tagNote);
        }

        Settle(key);
        return null;
    }

    /// <summary>
    /// Removes the marker once the settings are applied. A role without ecr:UntagResource leaves it there, with a note:
    /// the repository is complete, and failing the copy for it would only repeat the settings.
    /// </summary>
    private static async Task<string?> RemoveProvisioningTagAsync(IEcrClient destination, string arn, string repositoryName, CancellationToken cancellationToken)
    {
        try
        {
            await destination.UntagResourceAsync(new UntagResourceRequest { ResourceArn = arn, TagKeys = [ProvisioningTagKey] }, cancellationToken);
            return null;
        }
        catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.AccessDeniedException)
        {
            return $"the settings of destination repository {repositoryName} were applied but its tag {ProvisioningTagKey} could not be removed ({e.ErrorCode}): grant ecr:UntagResource on it (the writer's policy: destination-role.yaml in another account)";
        }
    }

    /// <summary>What follows CreateRepository: the source's lifecycle policy, and its repository policy where it is copied.</summary>
    private static PendingSettings SettingsFor(SourceRepositorySettings source, ReplicationDestination target, bool withSourceCredentials) =>
        new(source.LifecyclePolicyText, NewRepositorySettings.CopiesRepositoryPolicy(source.Repository, target, withSourceCredentials) ? source.RepositoryPolicyText : null);

    /// <summary>
    /// Applies the settings. A lifecycle policy the writer may not set is left out with a note (returned), and the rest
    /// goes on: a lifecycle policy can expire every image of the repository, so setting one is a delete, which the
    /// destination's owner grants on purpose or not at all (destination-role.yaml's AllowLifecyclePolicies, the stack's
    /// CopyLifecyclePolicies). Failing the copy for it would leave the replica without its images instead, on every
    /// redelivery. Any other refusal fails the destination as before: the marker stays for the redelivery.
    /// </summary>
    private static async Task<string?> ApplyAsync(IEcrClient destination, string? registryId, string repositoryName, PendingSettings settings, CancellationToken cancellationToken)
    {
        string? note = null;
        if (settings.LifecyclePolicyText is { } lifecycle)
        {
            try
            {
                await destination.PutLifecyclePolicyAsync(new PutLifecyclePolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, LifecyclePolicyText = lifecycle }, cancellationToken);
            }
            catch (EcrException e) when (e.ErrorCode == EcrErrorCodes.AccessDeniedException)
            {
                note = $"the source's lifecycle policy was not copied to destination repository {repositoryName} ({e.ErrorCode}): a lifecycle policy can expire images, so the writer sets one only when granted ecr:PutLifecyclePolicy on purpose (AllowLifecyclePolicies=true in destination-role.yaml in another account; CopyLifecyclePolicies=true in the replicator's template for its own account; the IAM user's policy in another partition)";
            }
        }

        if (settings.RepositoryPolicyText is { } policy)
        {
            // Forced: the source repository holds this very policy, so its owner chose it (and forced it there if it
            // needed forcing). ECR refuses a policy that "would prevent you from setting another policy in the future"
            // unless forced (botocore ECR model, SetRepositoryPolicyRequest.force), which would fail every copy into a
            // replica of a locked-down repository, on every receive, for a choice that is not the replicator's to make.
            await destination.SetRepositoryPolicyAsync(new SetRepositoryPolicyRequest { RegistryId = registryId, RepositoryName = repositoryName, PolicyText = policy, Force = true }, cancellationToken);
        }

        return note;
    }

    /// <summary>
    /// The repository's ARN (arn:PARTITION:ecr:REGION:ACCOUNT:repository/NAME). Built when the destination names its
    /// account; else its account is the one of the credentials that write there, which only ECR knows for sure (an
    /// SSM key pair may belong to any account), so it is read with DescribeRepositories.
    /// </summary>
    private static async Task<string> RepositoryArnAsync(IEcrClient destination, ReplicationDestination target, string repositoryName, CancellationToken cancellationToken)
    {
        if (target.RegistryId is { } account)
        {
            return EcrNames.RepositoryArn(target.Region, account, repositoryName);
        }

        var described = await destination.DescribeRepositoriesAsync(new DescribeRepositoriesRequest { RepositoryNames = [repositoryName] }, cancellationToken);
        return described.Repositories?.FirstOrDefault()?.RepositoryArn
            ?? throw new ReplicationException(EcrErrorCodes.RepositoryNotFoundException, $"destination repository '{repositoryName}' was not described", isTransient: true);
    }

    private void Settle((string Region, string? RegistryId, string Repository) key)
    {
        if (_settled.Count >= MaxSettled)
        {
            _settled.Clear();
        }

        _settled[key] = 0;
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

    /// <summary>The settings CreateRepository cannot carry; empty when none follows it.</summary>
    private sealed record PendingSettings(string? LifecyclePolicyText, string? RepositoryPolicyText)
    {
        public bool IsEmpty => LifecyclePolicyText is null && RepositoryPolicyText is null;
    }
}
