using System.Collections.Concurrent;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;

namespace Replicator.Core.Replication;

/// <summary>
/// Whether a copy's last PutImage would be refused its tag: the destination repository keeps the tag immutable and it
/// names another digest (ECR answers ImageTagAlreadyExistsException,
/// https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html). Asked before anything is
/// uploaded, so such a copy fails at once instead of after every blob and child manifest is in the destination, and a
/// dry run says it instead of "copy". One DescribeRepositories, and where the tag is immutable one DescribeImages of it,
/// plus, when no ACTIVE image holds the tag (the usual case for a new tag), one listing each of the repository's archived
/// and restoring images (<see cref="ImageDescriptions.FindAsync"/>; one empty page each in a repository without them).
/// The repository's ARN read on the way goes to the provisioner, which needs it once per repository and engine. A
/// repository found (or created) plainly MUTABLE is remembered for the engine's life: it is the common case, and a repository
/// made immutable since only costs the upload again, as PutImage still judges the tag (DestinationReplicator). Any other
/// setting is read each time, as one remembered immutable could refuse a copy that ECR would now take.
/// </summary>
internal sealed class ImmutableTagCheck
{
    // Past this many repositories the memory starts over rather than growing with a registry's size.
    private const int MaxRemembered = 10_000;

    private readonly ConcurrentDictionary<(string Region, string? RegistryId, string Repository), byte> _mutable = new();

    /// <summary>
    /// The digest <paramref name="tag"/> names in <paramref name="repository"/> when that repository keeps it immutable and
    /// it is not <paramref name="digest"/> (else null), and the repository's ARN when it was read. A repository whose
    /// settings cannot be read (access denied, not there) counts as mutable, as the reconciler counts it: PutImage judges
    /// the tag at the end either way.
    /// </summary>
    public async Task<(string? Conflict, string? RepositoryArn)> ConflictAsync(IEcrClient client, ReplicationDestination destination, string repository, string tag, string digest, CancellationToken cancellationToken)
    {
        if (_mutable.ContainsKey((destination.Region, destination.RegistryId, repository)))
        {
            return (null, null);
        }

        Repository? found;
        try
        {
            var described = await client.DescribeRepositoriesAsync(
                new DescribeRepositoriesRequest { RegistryId = destination.RegistryId, RepositoryNames = [repository] }, cancellationToken);
            found = described.Repositories?.FirstOrDefault();
        }
        catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.AccessDeniedException or EcrErrorCodes.RepositoryNotFoundException)
        {
            return (null, null);
        }

        var rule = found is null ? TagMutabilityRule.Mutable : TagMutabilityRule.From(found);
        if (rule.Mutability is null or ImageTagMutability.Mutable)
        {
            RememberMutable(destination, repository);
            return (null, found?.RepositoryArn);
        }

        if (!rule.IsImmutable(tag))
        {
            return (null, found?.RepositoryArn);
        }

        // Every status: an archived image still holds its tag, and an immutable tag then still refuses the push.
        var named = (await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, new ImageIdentifier { ImageTag = tag }, cancellationToken))?.ImageDigest;
        return (named is not null && named != digest ? named : null, found?.RepositoryArn);
    }

    /// <summary>A repository this engine created plainly MUTABLE (from the source's setting): no read needed after.</summary>
    public void RememberMutable(ReplicationDestination destination, string repository)
    {
        if (_mutable.Count >= MaxRemembered)
        {
            _mutable.Clear();
        }

        _mutable[(destination.Region, destination.RegistryId, repository)] = 0;
    }

    // Named in full: with REPOSITORY_MAPPING the destination repository appears nowhere else in the dead-letter reason,
    // and the two digests are what an operator compares to choose a fix.
    public static ReplicationException Conflict(string tag, string repository, string existing, string digest, Exception? inner) => new(
        ReplicationErrorCodes.ImmutableTagConflict,
        $"tag '{tag}' of the immutable destination repository {repository} names {existing}, not the replicated {digest}; retrying cannot fix this",
        isTransient: false,
        inner);
}
