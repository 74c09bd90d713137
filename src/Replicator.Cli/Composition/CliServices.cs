using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Cli.Composition;

/// <summary>
/// The engine and clients of one command run, built from the injected environment exactly as the function builds
/// them: one HttpClient, the standard credentials chain, ECR endpoints from <c>AWS_ENDPOINT_URL_ECR</c>.
/// </summary>
public sealed class CliServices : IDisposable
{
    private readonly HttpClient _http;

    public CliServices(CliContext context, int maxParallelLayers = 4, IReplicationObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        _http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        Clients = new EcrClientFactory(_http, context.Credentials ?? new AwsSdkCredentialsSource(), context.Environment, context.Time);
        HasEndpointOverride = EndpointOverridden(context.Environment);
        Options = new ReplicatorOptions
        {
            MaxParallelLayers = maxParallelLayers,

            // Only a local ECR (an endpoint override) hands out http download URLs; AWS's are always https.
            BlobCopy = new() { AllowInsecureDownloads = HasEndpointOverride },
        };
        Replicator = new ImageReplicator(Clients, _http, Options, context.Time, observer);
        Previewer = new ReplicationPreviewer(Clients, Options.Retry, context.Time);
    }

    public EcrClientFactory Clients { get; }

    public ReplicatorOptions Options { get; }

    public ImageReplicator Replicator { get; }

    public ReplicationPreviewer Previewer { get; }

    public bool HasEndpointOverride { get; }

    public void Dispose() => _http.Dispose();

    /// <summary>True when an ECR endpoint override (a local ECR) is configured; a malformed one is a usage error.</summary>
    public static bool EndpointOverridden(Core.Configuration.IEnvironmentVariables environment)
    {
        // Resolve for a fixed region: an override is the same for every region, and a bad value fails here once, clearly.
        try
        {
            return EcrEndpoints.Resolve("us-east-1", environment) != EcrEndpoints.ForRegion("us-east-1");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
