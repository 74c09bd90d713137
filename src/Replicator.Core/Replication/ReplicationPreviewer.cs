using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Planning;
using Replicator.Core.Reconciliation;

namespace Replicator.Core.Replication;

/// <summary>
/// What a replication would write, without writing: loads the source image and each destination's state with the
/// same reads the engine makes, then runs the pure <see cref="ReplicationPlanner"/>. For dry runs (the CLI's
/// <c>sync --dry-run</c>); only read operations are called.
/// </summary>
public sealed class ReplicationPreviewer
{
    private readonly IEcrClientProvider _clients;
    private readonly IDestinationClients _destinationClients;
    private readonly RepositoryMapping _mapping;
    private readonly SourceImageLoader _loader;
    private readonly DestinationStateReader _reader;

    /// <param name="clients">
    /// The source clients, already retrying: pass the engine's (<see cref="ImageReplicator.Clients"/>), so a dry run
    /// reads under the same retry budget as a real run and no call is retried by two policies at once.
    /// </param>
    /// <param name="destinationClients">The destinations' clients, already retrying (<see cref="ImageReplicator.DestinationClients"/>).</param>
    /// <param name="mapping">The destination repository of each source repository; identity when null.</param>
    public ReplicationPreviewer(IEcrClientProvider clients, IDestinationClients destinationClients, RepositoryMapping? mapping = null)
    {
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _destinationClients = destinationClients ?? throw new ArgumentNullException(nameof(destinationClients));
        _mapping = mapping ?? RepositoryMapping.Identity;
        _loader = new SourceImageLoader();
        _reader = new DestinationStateReader();
    }

    /// <summary>The name <paramref name="sourceRepository"/> has in the destinations (the mapping's).</summary>
    public string DestinationRepository(string sourceRepository) => _mapping.Map(sourceRepository);

    /// <summary>
    /// The plan per destination, in the request's order; null when the source image does not exist.
    /// Read errors throw (<see cref="EcrException"/>, <see cref="ReplicationException"/>).
    /// </summary>
    public async Task<ReplicationPreview?> PreviewAsync(ReplicationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequestValidator.Validate(request) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(request));
        }

        var source = request.Source;
        var image = await _loader.LoadAsync(_clients.GetClient(source.Region), source, cancellationToken);
        if (image is null)
        {
            return null;
        }

        var root = image.Root.ReferenceDigest;
        var plans = await Task.WhenAll(request.Destinations.Select(async d =>
        {
            var client = _destinationClients.GetClient(d, source.RegistryId);
            var repository = _mapping.Map(source.RepositoryName);
            var state = await _reader.ReadAsync(client, d.RegistryId, repository, image, cancellationToken);
            var plan = ReplicationPlanner.Plan(image, state);
            var conflict = !plan.IsEmpty && plan.CreateRepository is null && source.Tag is { } tag && state.TagDigest != root
                ? await ImmutableTagConflictAsync(client, d, repository, tag, root, cancellationToken)
                : null;
            return (Destination: d, Plan: plan, Conflict: conflict);
        }));
        var conflicts = plans.Where(p => p.Conflict is not null).ToDictionary(p => p.Destination, p => p.Conflict!);
        return new ReplicationPreview(source, root, [.. plans.Select(p => (p.Destination, p.Plan))], conflicts);
    }

    /// <summary>
    /// The digest <paramref name="tag"/> names in the destination repository when that repository keeps it immutable
    /// and it is not <paramref name="digest"/>, else null. The copy finds this only at its last PutImage, after every blob
    /// and child manifest is uploaded (ECR refuses to move an immutable tag: ImageTagAlreadyExistsException,
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html), so a dry run says it instead of
    /// "copy". Only where a plan would write and the destination's tag does not already name the image: the repository's
    /// settings first (one DescribeRepositories), and where the tag is immutable, the image it names. A repository whose
    /// settings cannot be read counts as mutable, as the reconciler counts it (PacedListings.MutabilityAsync).
    /// </summary>
    private static async Task<string?> ImmutableTagConflictAsync(IEcrClient client, ReplicationDestination destination, string repository, string tag, string digest, CancellationToken cancellationToken)
    {
        try
        {
            var described = await client.DescribeRepositoriesAsync(
                new DescribeRepositoriesRequest { RegistryId = destination.RegistryId, RepositoryNames = [repository] }, cancellationToken);
            if (described.Repositories?.FirstOrDefault() is not { } found || !TagMutabilityRule.From(found).IsImmutable(tag))
            {
                return null;
            }
        }
        catch (EcrException e) when (e.ErrorCode is EcrErrorCodes.AccessDeniedException or EcrErrorCodes.RepositoryNotFoundException)
        {
            return null;
        }

        // Every status: an archived image still holds its tag, and an immutable tag then still refuses the push.
        var named = (await ImageDescriptions.FindAsync(client, destination.RegistryId, repository, new ImageIdentifier { ImageTag = tag }, cancellationToken))?.ImageDigest;
        return named is not null && named != digest ? named : null;
    }
}
