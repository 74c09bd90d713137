using Replicator.Cli.Selection;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
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

    /// <param name="context">The surroundings.</param>
    /// <param name="criteria">
    /// The selection: its destinations and source region decide the credentials of each destination (the function's
    /// DESTINATION_ROLE_NAME, DESTINATION_ROLE_ARNS, DESTINATION_EXTERNAL_ID and DESTINATION_CREDENTIALS, read from the
    /// environment), the KMS key of each new repository of a KMS-encrypted source (DESTINATION_KMS_KEYS) and the wait for
    /// a managed signature (SIGNATURE_WAIT_SECONDS, whatever the selection, when <paramref name="copies"/>), its mapping
    /// the destination names. Null: every destination with the caller's credentials, and no KMS key.
    /// </param>
    /// <param name="maxParallelLayers">Layers copied at once.</param>
    /// <param name="observer">Progress.</param>
    /// <param name="usesDestinations">
    /// False for a run that makes no destination call (<c>sync --enqueue --all</c>): the destination settings are
    /// checked for grammar only, whatever the selection.
    /// </param>
    /// <param name="copies">
    /// False for a run that copies no image (<c>verify</c>, a dry run, <c>sync --enqueue</c>, <c>push-sample</c>):
    /// SIGNATURE_WAIT_SECONDS, which only a copy uses (src/Replicator.Cli/README.md), is not read, so the function's
    /// exported environment with a value the CLI would refuse does not stop a command it cannot affect.
    /// </param>
    public CliServices(CliContext context, SelectionCriteria? criteria = null, int maxParallelLayers = 4, IReplicationObserver? observer = null, bool usesDestinations = true, bool copies = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        EndpointOverridden(context.Environment);
        var mapping = criteria?.Mapping ?? RepositoryMapping.Identity;
        DestinationAccess access;
        IReadOnlyDictionary<string, string> kmsKeys;
        TimeSpan signatureWait;
        var ignored = new List<IgnoredEntry>();
        try
        {
            // The exported environment of the function may configure more destinations than this run selects: their
            // entries are checked in full and left out, as the scope says; one naming neither DESTINATION_REGIONS (when
            // it is exported too) nor the selection is reported, as the function reports it.
            var scope = criteria is null || !usesDestinations
                ? DestinationScope.None
                : DestinationScope.Selected(criteria.Destinations, context.Environment.GetEnvironmentVariable(ReplicationDestination.Variable));
            access = criteria is null ? DestinationAccess.SourceOnly : DestinationAccess.FromEnvironment(context.Environment, scope, criteria.SourceRegion, ignored);
            kmsKeys = KmsKeys.Parse(criteria is null ? null : context.Environment.GetEnvironmentVariable(KmsKeys.Variable), scope, ignored);
            signatureWait = copies ? SignatureWaitSetting.Parse(context.Environment.GetEnvironmentVariable(SignatureWaitSetting.Variable)) : TimeSpan.Zero;
            ServiceEndpoints.Override(context.Environment, ServiceEndpoints.StsVariable);
            ServiceEndpoints.Override(context.Environment, ServiceEndpoints.SsmVariable);
        }
        catch (SettingException e)
        {
            throw new UsageException(e.Message);
        }

        // On stderr, before the command's own output: not a usage error, since the function accepts the same environment.
        foreach (var entry in ignored)
        {
            context.Error.Write($"warning: {entry}\n");
        }

        context.Error.Flush();

        Options = new ReplicatorOptions { MaxParallelLayers = maxParallelLayers, RepositoryMapping = mapping, KmsKeyIds = kmsKeys, SignatureWait = signatureWait };
        _engine = ReplicatorServices.Create(
            context.Environment, Options, context.Credentials ?? new AwsSdkCredentialsSource(), observer, context.Time, access, criteria?.SourceRegion, trustedRoots: context.TrustedRoots);
        Previewer = new ReplicationPreviewer(Clients, Destinations, mapping, kmsKeys);
    }

    /// <summary>
    /// The source clients of the engine, each call through its one retry policy (<see cref="Options"/>'s
    /// <see cref="ReplicatorOptions.Retry"/>): a command's reads ride out throttling as the function's do, and no
    /// second policy is stacked on them.
    /// </summary>
    public IEcrClientProvider Clients => _engine.Replicator.Clients;

    /// <summary>The client of each destination, with its account's or partition's credentials, through the same retry policy.</summary>
    public IDestinationClients Destinations => _engine.Replicator.DestinationClients;

    public ReplicatorOptions Options { get; }

    public ImageReplicator Replicator => _engine.Replicator;

    public ReplicationPreviewer Previewer { get; }

    public void Dispose() => _engine.Dispose();

    /// <summary>
    /// True when an ECR endpoint override (a local ECR) is configured; a malformed one is a usage error, and so is a
    /// FIPS or dual-stack flag (variable or shared config key) that is neither true nor false, which would otherwise
    /// surface only at the first ECR call, as an unhandled exception.
    /// </summary>
    public static bool EndpointOverridden(IEnvironmentVariables environment)
    {
        try
        {
            _ = EcrEndpoints.UseFips(environment);
            _ = EcrEndpoints.UseDualStack(environment);
            return EcrEndpoints.IsOverridden(environment);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
        catch (SettingException e)
        {
            // A profile's services key naming no [services NAME] section (ConfiguredEndpoint.Find).
            throw new UsageException(e.Message);
        }
    }
}
