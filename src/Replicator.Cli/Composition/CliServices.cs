using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.Replication;
using Replicator.Core.Signing;

namespace Replicator.Cli.Composition;

/// <summary>
/// The engine and clients of one command run, built from the injected environment exactly as the function builds
/// them (<see cref="ReplicatorServices"/>): one HttpClient, the standard credentials chain, ECR endpoints from
/// <c>AWS_ENDPOINT_URL_ECR</c>, http download URLs only under an override.
/// </summary>
public sealed class CliServices : IDisposable
{
    private readonly ReplicatorServices _engine;

    public CliServices(CliContext context, int maxParallelLayers = 4, IReplicationObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        EndpointOverridden(context.Environment);
        Options = new ReplicatorOptions { MaxParallelLayers = maxParallelLayers };
        _engine = ReplicatorServices.Create(context.Environment, Options, context.Credentials ?? new AwsSdkCredentialsSource(), observer, context.Time);
        Previewer = new ReplicationPreviewer(Clients, Options.Retry, context.Time);
    }

    public EcrClientFactory Clients => _engine.Clients;

    public ReplicatorOptions Options { get; }

    public ImageReplicator Replicator => _engine.Replicator;

    public ReplicationPreviewer Previewer { get; }

    public void Dispose() => _engine.Dispose();

    /// <summary>True when an ECR endpoint override (a local ECR) is configured; a malformed one is a usage error.</summary>
    public static bool EndpointOverridden(IEnvironmentVariables environment)
    {
        try
        {
            return EcrEndpoints.IsOverridden(environment);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
