using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Signing;

namespace Replicator.Core.Replication;

/// <summary>
/// The engine as the Lambda function and the CLI build it: one HttpClient (ECR calls and presigned downloads
/// share its connection pool), the standard credentials chain, endpoints from the environment
/// (AWS_ENDPOINT_URL_ECR, else AWS_ENDPOINT_URL), and http download URLs accepted only under an override.
/// </summary>
public sealed class ReplicatorEngine : IDisposable
{
    private readonly HttpClient _http;

    private ReplicatorEngine(HttpClient http, EcrClientFactory clients, ImageReplicator replicator)
    {
        _http = http;
        Clients = clients;
        Replicator = replicator;
    }

    public EcrClientFactory Clients { get; }

    public ImageReplicator Replicator { get; }

    public static ReplicatorEngine Create(
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
        return new ReplicatorEngine(http, clients, new ImageReplicator(clients, http, effective, time, observer));
    }

    public void Dispose() => _http.Dispose();
}
