using System.Collections.Concurrent;
using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Destinations;

/// <summary>
/// Hands out each destination's ECR client with the credentials <see cref="DestinationAccess.Route"/> picks:
/// one credentials source per role or parameter (so one cache, one refresh), one client per region and source.
/// </summary>
public sealed class DestinationClients : IDestinationClients, IDisposable
{
    private readonly EcrClientFactory _clients;
    private readonly DestinationAccess _access;
    private readonly IAwsCredentialsSource _sourceCredentials;
    private readonly ISecurityTokenService _sts;
    private readonly Func<ISecureParameterStore> _parameters;
    private readonly TimeProvider _time;
    private readonly IReplicationObserver? _observer;
    private readonly ConcurrentDictionary<(DestinationRouteKind Kind, string Name, string Region), Lazy<IAwsCredentialsSource>> _sources = new();
    private readonly Lazy<ISecureParameterStore> _store;

    /// <param name="clients">Creates the ECR clients (shared connection pool).</param>
    /// <param name="access">Which credentials each destination takes.</param>
    /// <param name="sourceCredentials">The replicator's own credentials: same-account destinations, STS and SSM calls.</param>
    /// <param name="sts">AssumeRole.</param>
    /// <param name="parameters">Creates the SSM reader on first use (most setups never need it).</param>
    /// <param name="time">The clock of credential expiry and parameter lifetime.</param>
    /// <param name="observer">Told of a failed renewal of a role's session that is still used.</param>
    public DestinationClients(EcrClientFactory clients, DestinationAccess access, IAwsCredentialsSource sourceCredentials, ISecurityTokenService sts, Func<ISecureParameterStore> parameters, TimeProvider? time = null, IReplicationObserver? observer = null)
    {
        _clients = clients ?? throw new ArgumentNullException(nameof(clients));
        _access = access ?? throw new ArgumentNullException(nameof(access));
        _sourceCredentials = sourceCredentials ?? throw new ArgumentNullException(nameof(sourceCredentials));
        _sts = sts ?? throw new ArgumentNullException(nameof(sts));
        _parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
        _time = time ?? TimeProvider.System;
        _observer = observer;
        // PublicationOnly, here and for each credentials source: a factory that throws once (the SSM client could not
        // be built) is called again on the next use, where the default mode would rethrow that first exception for
        // the life of the execution environment. A race may build a second SSM client, left to the collector.
        _store = new Lazy<ISecureParameterStore>(_parameters, LazyThreadSafetyMode.PublicationOnly);
    }

    public IEcrClient GetClient(ReplicationDestination destination, string? sourceAccount)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var route = _access.Route(destination, sourceAccount);
        return route.Kind switch
        {
            DestinationRouteKind.SourceCredentials => _clients.GetClient(destination.Region),
            _ => _clients.GetClient(destination.Region, CredentialsFor(route, destination.Region)),
        };
    }

    public bool WritesWithSourceCredentials(ReplicationDestination destination, string? sourceAccount) =>
        _access.WritesWithSourceCredentials(destination, sourceAccount);

    public bool SignsWithStoredKey(ReplicationDestination destination, string? sourceAccount) =>
        _access.Route(destination, sourceAccount).Kind == DestinationRouteKind.SsmCredentials;

    public string? StoredKeyParameter(ReplicationDestination destination, string? sourceAccount) =>
        _access.Route(destination, sourceAccount) is { Kind: DestinationRouteKind.SsmCredentials } route ? route.ParameterName : null;

    /// <summary>
    /// The credentials source of a route: one per role, assumed through STS in <see cref="DestinationAccess.StsRegion"/>
    /// (else the destination's region), falling back to the region of the destination that first asked where STS is
    /// not active for the role's account; one per parameter and destination region, whose optional role is assumed in
    /// that region, since it lives in another partition.
    /// </summary>
    public IAwsCredentialsSource CredentialsFor(DestinationRoute route, string region)
    {
        ArgumentNullException.ThrowIfNull(route);
        return route.Kind switch
        {
            DestinationRouteKind.SourceCredentials => _sourceCredentials,
            DestinationRouteKind.AssumeRole => _sources.GetOrAdd(
                (route.Kind, route.RoleArn!, _access.StsRegion ?? region),
                static (key, arg) => new Lazy<IAwsCredentialsSource>(() => new AssumedRoleCredentialsSource(arg.Self._sts, key.Name, arg.Self._access.ExternalId, key.Region, arg.Self._sourceCredentials, arg.Self._time, arg.Self._observer, fallbackRegion: arg.Region), LazyThreadSafetyMode.PublicationOnly),
                (Self: this, Region: region)).Value,
            _ => _sources.GetOrAdd(
                (route.Kind, route.ParameterName!, region),
                static (key, self) => new Lazy<IAwsCredentialsSource>(() => new SsmCredentialsSource(self._store.Value, self._sts, key.Name, key.Region, self._time, observer: self._observer, externalId: self._access.ExternalId), LazyThreadSafetyMode.PublicationOnly),
                this).Value,
        };
    }

    public void Dispose()
    {
        // The credentials sources hold nothing to dispose; an injected parameter store may (SsmParameterStore does not:
        // it builds a client per read).
        if (_store.IsValueCreated)
        {
            (_store.Value as IDisposable)?.Dispose();
        }
    }
}
