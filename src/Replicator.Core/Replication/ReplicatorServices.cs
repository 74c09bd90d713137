using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Core.Replication;

/// <summary>
/// The engine (<see cref="ImageReplicator"/>) as the Lambda function and the CLI build it, together with what it
/// needs and this type owns: one HttpClient (ECR calls and presigned downloads share its connection pool), the
/// standard credentials chain, endpoints from the environment (AWS_ENDPOINT_URL_ECR, else AWS_ENDPOINT_URL), and
/// http download URLs accepted only under an override. Whoever creates it disposes it.
/// </summary>
public sealed class ReplicatorServices : IImageReplicator, IDisposable
{
    private readonly HttpClient _http;

    private ReplicatorServices(HttpClient http, EcrClientFactory clients, ImageReplicator replicator)
    {
        _http = http;
        Clients = clients;
        Replicator = replicator;
    }

    public EcrClientFactory Clients { get; }

    public ImageReplicator Replicator { get; }

    public static ReplicatorServices Create(
        IEnvironmentVariables environment,
        ReplicatorOptions options,
        IAwsCredentialsSource? credentials = null,
        IReplicationObserver? observer = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var http = EcrClientFactory.CreateHttpClient();
        var clients = new EcrClientFactory(http, credentials ?? new AwsSdkCredentialsSource(), environment, time);
        var effective = options with { BlobCopy = options.BlobCopy with { AllowInsecureDownloads = EcrEndpoints.IsOverridden(environment) } };
        return new ReplicatorServices(http, clients, new ImageReplicator(clients, http, effective, time, observer));
    }

    public Task<ReplicationResult> ReplicateAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        Replicator.ReplicateAsync(request, cancellationToken);

    public Task<ReplicationResult> DeleteAsync(ReplicationRequest request, CancellationToken cancellationToken) =>
        Replicator.DeleteAsync(request, cancellationToken);

    public void Dispose() => _http.Dispose();
}
