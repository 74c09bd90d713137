using System.Text.RegularExpressions;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.EventBridge;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Selection;
using Replicator.Function.Observability;
using Replicator.Function.Redelivery;

namespace Replicator.Function.Configuration;

/// <summary>The function's settings, read once at init from the environment and validated (see <see cref="FunctionConfigLoader"/>).</summary>
public sealed record FunctionConfig
{
    public const int DefaultMaxParallelLayers = 4;
    public const int MaxMaxParallelLayers = 32;
    public const string DefaultMetricsNamespace = "EcrReplicator";

    /// <summary>
    /// The largest maxReceiveCount of a redrive policy: "Maximum receives", 1 to 1,000, in the SQS developer guide's
    /// dead-letter queue configuration (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue.html).
    /// </summary>
    public const int MaxMaxReceiveCount = 1000;

    public required IReadOnlyList<ReplicationDestination> Destinations { get; init; }

    public Uri? DeadLetterQueueUrl { get; init; }

    /// <summary>RECONCILE_QUEUE_URL: the FIFO queue the reconciler sends drift to (the replication queue); null turns reconciling off.</summary>
    public Uri? ReconcileQueueUrl { get; init; }

    /// <summary>RECONCILE_CURSOR_PARAMETER: the SSM String parameter that keeps a pass's place between runs; null: every run starts a new pass.</summary>
    public string? ReconcileCursorParameter { get; init; }

    /// <summary>DESTINATION_ROLE_NAME, DESTINATION_ROLE_ARNS, DESTINATION_EXTERNAL_ID, DESTINATION_CREDENTIALS: the credentials of each destination.</summary>
    public DestinationAccess Access { get; init; } = DestinationAccess.SourceOnly;

    /// <summary>REPOSITORY_MAPPING: the destination name of each source repository.</summary>
    public RepositoryMapping RepositoryMapping { get; init; } = RepositoryMapping.Identity;

    /// <summary>DESTINATION_KMS_KEYS: the KMS key per destination region for sources encrypted with KMS.</summary>
    public IReadOnlyDictionary<string, string> KmsKeyIds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The entries of DESTINATION_CREDENTIALS, DESTINATION_ROLE_ARNS and DESTINATION_KMS_KEYS that name no destination of
    /// <see cref="Destinations"/> (one removed, or mistyped): ignored, and logged as one WARN each at init.
    /// </summary>
    public IReadOnlyList<IgnoredEntry> IgnoredEntries { get; init; } = [];

    /// <summary>MAX_PARALLEL_LAYERS, lowered to what the function's memory holds (<see cref="LayerMemoryFit"/>).</summary>
    public int MaxParallelLayers { get; init; } = DefaultMaxParallelLayers;

    /// <summary>MAX_PARALLEL_LAYERS against AWS_LAMBDA_FUNCTION_MEMORY_SIZE; null outside Lambda (the variable unset).</summary>
    public LayerMemoryFit? LayerMemoryFit { get; init; }

    /// <summary>
    /// SIGNATURE_WAIT_SECONDS: how long a copy waits for the signatures ECR's managed signing is still making of the
    /// source image (<see cref="ReplicatorOptions.SignatureWait"/>); zero, the value when unset, asks nothing.
    /// </summary>
    public TimeSpan SignatureWait { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// REPOSITORY_FILTER: the repositories this deployment replicates. The EventBridge rule already filters; this is
    /// the second line of defence, so an event for any other repository is acknowledged and skipped, never copied.
    /// Unset means every repository (a local invoke); the template always sets it.
    /// </summary>
    public RepositoryFilter RepositoryFilter { get; init; } = RepositoryFilter.Everything;

    /// <summary>Null means every tag; otherwise a tag must match the whole expression.</summary>
    public Regex? TagFilter { get; init; }

    public bool ReplicateDeletes { get; init; }

    public string MetricsNamespace { get; init; } = DefaultMetricsNamespace;

    /// <summary>The function's own region (AWS_REGION).</summary>
    public required string Region { get; init; }

    /// <summary>AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL; null means the real SQS endpoint of <see cref="Region"/>.</summary>
    public Uri? SqsEndpoint { get; init; }

    /// <summary>RETRY_BASE_SECONDS / RETRY_MAX_SECONDS: the redelivery backoff after a transient failure.</summary>
    public RedeliverySettings Redelivery { get; init; } = new();

    /// <summary>
    /// MAX_RECEIVE_COUNT: the replication queue's redrive maxReceiveCount. On that receive the function dead-letters a
    /// record that still fails transiently (or did not run) itself, with its reason; null leaves it to SQS's redrive.
    /// </summary>
    public int? MaxReceiveCount { get; init; }

    /// <summary>REPLICATED_EVENT_BUS: where "ECR Image Replicated" events go; null turns them off.</summary>
    public EventBusReference? ReplicatedEventBus { get; init; }

    /// <summary>
    /// The EventBridge endpoint of <see cref="ReplicatedEventBus"/>'s region (the ARN's, else <see cref="Region"/>):
    /// AWS_ENDPOINT_URL_EVENTBRIDGE, else AWS_ENDPOINT_URL, else the public one (FIPS and dual-stack honoured). Null when off.
    /// </summary>
    public Uri? ReplicatedEventEndpoint { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    public LogFormat LogFormat { get; init; } = LogFormat.Json;

    /// <summary>
    /// The certificate authorities of AWS_CA_BUNDLE, read at init (<see cref="CaBundle.Load"/>), which every HttpClient
    /// of the function trusts instead of the system's; null when it is unset.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? TrustedRoots { get; init; }

    /// <summary>The engine's options this configuration sets; everything else keeps the engine's defaults.</summary>
    public ReplicatorOptions ToReplicatorOptions() => new() { MaxParallelLayers = MaxParallelLayers, KmsKeyIds = KmsKeyIds, RepositoryMapping = RepositoryMapping, TagFilter = TagFilter, SignatureWait = SignatureWait };

    /// <summary>What the reconciler looks at: the repositories of REPOSITORY_FILTER, the tags of TAG_FILTER, deletes when replicated.</summary>
    public DriftSelection ToDriftSelection() => new()
    {
        IncludeRepository = RepositoryFilter.Matches,
        IncludeTag = TagFilter is { } filter ? filter.IsMatch : static _ => true,
        ReplicateDeletes = ReplicateDeletes,
    };

    /// <summary>
    /// The settings that decide what the reconciler finds (the destinations, REPOSITORY_FILTER, TAG_FILTER,
    /// REPOSITORY_MAPPING, REPLICATE_DELETES), whose fingerprint its cursor carries: a pass walked under others starts over.
    /// </summary>
    public ReconcileSettings ToReconcileSettings() => ReconcileSettings.Of(Destinations, RepositoryFilter, TagFilter?.ToString(), RepositoryMapping, ReplicateDeletes);

    /// <summary>Reads and validates the configuration; throws <see cref="ConfigurationException"/> naming the first bad variable.</summary>
    public static FunctionConfig Load(IEnvironmentVariables environment) => FunctionConfigLoader.Load(environment);
}
