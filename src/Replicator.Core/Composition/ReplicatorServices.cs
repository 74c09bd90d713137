using System.Security.Cryptography.X509Certificates;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Core.Composition;

/// <summary>
/// The engine (<see cref="ImageReplicator"/>) as the Lambda function and the CLI build it, together with what it
/// needs and this type owns: one HttpClient (ECR calls and presigned downloads share its connection pool), the
/// standard credentials chain, endpoints from the environment (AWS_ENDPOINT_URL_ECR, else AWS_ENDPOINT_URL), the
/// certificate authorities of AWS_CA_BUNDLE when it is set, and
/// http download URLs accepted only under an override. Whoever creates it disposes it.
/// </summary>
public sealed class ReplicatorServices : IReplicatorOwner
{
    private readonly HttpClient _http;

    private ReplicatorServices(HttpClient http, EcrClientFactory clients, DestinationClients destinations, ImageReplicator replicator)
    {
        _http = http;
        Clients = clients;
        Destinations = destinations;
        Replicator = replicator;
    }

    public EcrClientFactory Clients { get; }

    /// <summary>The client of each destination, with the credentials of its account or partition (<see cref="DestinationAccess"/>).</summary>
    public DestinationClients Destinations { get; }

    public ImageReplicator Replicator { get; }

    public static ReplicatorServices Create(
        IEnvironmentVariables environment,
        ReplicatorOptions options,
        IAwsCredentialsSource? credentials = null,
        IReplicationObserver? observer = null,
        TimeProvider? time = null,
        DestinationAccess? access = null,
        string? homeRegion = null,
        TimeProvider? credentialsTime = null,
        X509Certificate2Collection? trustedRoots = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);

        // The bundle as the caller already read it (the function's init, the CLI's check), else read here: a bundle
        // of the system's authorities and a proxy's root is parsed in some 20 ms, not worth doing twice in a cold start.
        var http = EcrClientFactory.CreateHttpClientTrusting(trustedRoots ?? CaBundle.Load(environment));
        var own = credentials ?? new AwsSdkCredentialsSource();
        var clients = new EcrClientFactory(http, own, environment, time);
        var effective = options with { BlobCopy = options.BlobCopy with { AllowInsecureDownloads = EcrEndpoints.IsOverridden(environment) } };

        // SSM parameters live in the replicator's own region (AWS_REGION), read with its own credentials.
        var region = homeRegion ?? environment.GetEnvironmentVariable("AWS_REGION") ?? "us-east-1";
        var destinations = new DestinationClients(
            clients,
            access ?? DestinationAccess.SourceOnly,
            own,
            new StsSecurityTokenService(environment, time: credentialsTime ?? time),
            () => new SsmParameterStore(environment, region, own),
            credentialsTime ?? time,
            observer);
        return new ReplicatorServices(http, clients, destinations, new ImageReplicator(clients, http, effective, time, observer, destinationClients: destinations));
    }

    public Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        Replicator.ReplicateAsync(request, cancellationToken);

    public Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        Replicator.DeleteAsync(request, cancellationToken);

    public void Dispose()
    {
        Destinations.Dispose();
        _http.Dispose();
    }
}
