using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Planning;

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
    private readonly ImmutableTagCheck _immutableTags = new();
    private readonly IReadOnlyDictionary<string, string> _kmsKeys;

    /// <param name="clients">
    /// The source clients, already retrying: pass the engine's (<see cref="ImageReplicator.Clients"/>), so a dry run
    /// reads under the same retry budget as a real run and no call is retried by two policies at once.
    /// </param>
    /// <param name="destinationClients">The destinations' clients, already retrying (<see cref="ImageReplicator.DestinationClients"/>).</param>
    /// <param name="mapping">The destination repository of each source repository; identity when null.</param>
    /// <param name="kmsKeys">The engine's <see cref="ReplicatorOptions.KmsKeyIds"/>: a missing repository of a KMS-encrypted
    /// source is planned only where the copy would have a key to create it with; none when null.</param>
    public ReplicationPreviewer(IEcrClientProvider clients, IDestinationClients destinationClients, RepositoryMapping? mapping = null, IReadOnlyDictionary<string, string>? kmsKeys = null)
    {
        _kmsKeys = kmsKeys ?? new Dictionary<string, string>();
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
        var image = await _loader.LoadAsync(_clients.GetClient(source.Region), source, signatures: null, cancellationToken);
        if (image is null)
        {
            return null;
        }

        var root = image.Root.ReferenceDigest;
        var plans = await Task.WhenAll(request.Destinations.Select(async d =>
        {
            var client = _destinationClients.GetClient(d, source.RegistryId);
            var repository = _mapping.Map(source.RepositoryName);
            DestinationState state;
            try
            {
                state = await _reader.ReadAsync(client, d.RegistryId, repository, image, cancellationToken);
            }
            catch (EcrException e) when (EcrErrorCodes.IsRefusedKey(e.ErrorCode))
            {
                throw RefusedInDestination(e, d, source.RegistryId);
            }
            catch (ReplicationException e) when (FailureClassifier.IsStoredKeyRefused(e, _destinationClients.SignsWithStoredKey(d, source.RegistryId)))
            {
                // STS refused the parameter's key in the AssumeRole of its RoleArn: named as sync names it, with the
                // destination, since STS's words name neither.
                var message = RefusedKeyMessage.Describe(e.Message, keyRefused: true, _destinationClients, d, source.RegistryId);
                throw new ReplicationException(e.ErrorCode, $"destination {d}: {message}", e.IsTransient, e);
            }

            var plan = ReplicationPlanner.Plan(image, state);
            // A tag the copy would leave alone (moved in the source) cannot meet an immutable tag.
            var conflict = !plan.IsEmpty && plan.CreateRepository is null && image.ApplyTag && source.Tag is { } tag && state.TagDigest != root
                ? (await _immutableTags.ConflictAsync(client, d, repository, tag, root, cancellationToken)).Conflict
                : null;
            return (Destination: d, Plan: plan, Conflict: conflict);
        }));
        var conflicts = plans.Where(p => p.Conflict is not null).ToDictionary(p => p.Destination, p => p.Conflict!);
        var refusals = await CreationRefusalsAsync(source, [.. plans.Where(p => p.Plan.CreateRepository is not null).Select(p => p.Destination)], cancellationToken);
        return new ReplicationPreview(source, root, [.. plans.Select(p => (p.Destination, p.Plan))], conflicts, TagLeftAlone: source.Tag is not null && !image.ApplyTag, refusals);
    }

    /// <summary>
    /// The destinations among <paramref name="creating"/> (those without the repository) where the copy would fail to
    /// create it: the source's encryption, read as the copy reads it (DescribeRepositories, only when a repository is to
    /// be created), needs a KMS key the options do not give for that destination (<see cref="RepositoryProvisioner"/>).
    /// </summary>
    private async Task<Dictionary<ReplicationDestination, ReplicationException>?> CreationRefusalsAsync(ImageReference source, IReadOnlyList<ReplicationDestination> creating, CancellationToken cancellationToken)
    {
        if (creating.Count == 0)
        {
            return null;
        }

        var described = await _clients.GetClient(source.Region).DescribeRepositoriesAsync(
            new Ecr.Model.DescribeRepositoriesRequest { RegistryId = source.RegistryId, RepositoryNames = [source.RepositoryName] }, cancellationToken);
        var encryption = described.Repositories?.FirstOrDefault()?.EncryptionConfiguration;
        Dictionary<ReplicationDestination, ReplicationException>? refusals = null;
        foreach (var destination in creating)
        {
            try
            {
                NewRepositorySettings.DestinationEncryption(_kmsKeys, encryption, destination);
            }
            catch (ReplicationException e)
            {
                (refusals ??= [])[destination] = e;
            }
        }

        return refusals;
    }

    /// <summary>
    /// A destination's refusal of the key it was read with (UnrecognizedClientException), named as that destination's.
    /// Thrown as ECR's own exception it cannot be told from the source's, and the CLI explains a refused key as its own
    /// key unknown in the source region (a profile of another partition): the wrong region, partition and remedy when the
    /// key was a DESTINATION_CREDENTIALS parameter's. The words are those of sync's failed destination
    /// (DestinationReplicator), naming the parameter where the key came from one.
    /// </summary>
    private ReplicationException RefusedInDestination(EcrException refusal, ReplicationDestination destination, string? sourceAccount)
    {
        var message = RefusedKeyMessage.Describe(refusal.Message, keyRefused: true, _destinationClients, destination, sourceAccount);
        return new ReplicationException(refusal.ErrorCode, $"destination {destination}: {message}", refusal.IsTransient, refusal);
    }
}
