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

        var plans = await Task.WhenAll(request.Destinations.Select(async d =>
        {
            var state = await _reader.ReadAsync(_destinationClients.GetClient(d, source.RegistryId), d.RegistryId, _mapping.Map(source.RepositoryName), image, cancellationToken);
            return (d, ReplicationPlanner.Plan(image, state));
        }));
        return new ReplicationPreview(source, image.Root.ReferenceDigest, [.. plans]);
    }
}
