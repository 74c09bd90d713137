using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;
using Replicator.Core.Reconciliation;
using Replicator.Core.Replication;
using Replicator.Core.Resilience;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.DeadLetter;
using Replicator.Function.Enqueue;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
using Replicator.Function.Reconcile;
using Replicator.Function.Redelivery;
using Replicator.Function.ReplicatedEvents;
using Replicator.Function.Runtime;

namespace Replicator.Function;

/// <summary>
/// The composition root: configuration, logger, metrics, dead-letter queue and the engine (through the
/// factory), wired into the runtime loop. Everything external is a parameter so tests can run it whole.
/// </summary>
public sealed class FunctionHost
{
    public required IEnvironmentVariables Environment { get; init; }

    public required TextWriter Output { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Builds the engine once configuration is known. The host owns what it returns: a disposable replicator
    /// (<see cref="ReplicatorServices"/>) is disposed when <see cref="RunAsync"/> ends.
    /// </summary>
    public required Func<FunctionConfig, IImageReplicator> ReplicatorFactory { get; init; }

    /// <summary>Null builds <see cref="SqsDeadLetterQueue"/> when DEAD_LETTER_QUEUE_URL is set.</summary>
    public Func<FunctionConfig, IDeadLetterQueue?>? DeadLetterQueueFactory { get; init; }

    /// <summary>Null builds <see cref="SqsMessageVisibility"/> (the function's region, AWS_ENDPOINT_URL_SQS honoured).</summary>
    public Func<FunctionConfig, IMessageVisibility>? MessageVisibilityFactory { get; init; }

    /// <summary>Null sends the reconciler's messages to RECONCILE_QUEUE_URL with AWSSDK.SQS (the function's region, AWS_ENDPOINT_URL_SQS honoured).</summary>
    public Func<FunctionConfig, IMessageSender>? ReconcileQueueFactory { get; init; }

    /// <summary>Null keeps the cursor in RECONCILE_CURSOR_PARAMETER (SSM, AWS_ENDPOINT_URL_SSM honoured), or nowhere when it is unset.</summary>
    public Func<FunctionConfig, IReconcileCursorStore?>? ReconcileCursorStoreFactory { get; init; }

    /// <summary>
    /// The reconciler's ECR reads per second, across all of its calls: a pass shares the account's read quotas with
    /// the replication, so it walks at a steady pace rather than in bursts that would be throttled.
    /// </summary>
    public double ReconcileReadsPerSecond { get; init; } = 10;

    /// <summary>
    /// Builds the PutEvents client when REPLICATED_EVENT_BUS is set; null builds <see cref="EventBridgeClient"/> for the
    /// configured endpoint, signing with the function's own credentials (the default chain).
    /// </summary>
    public Func<FunctionConfig, IEventBridgeClient>? EventBridgeClientFactory { get; init; }

    /// <summary>The retry budget of the replicated events.</summary>
    public ReplicatedEventSettings ReplicatedEventSettings { get; init; } = new();

    public BatchProcessorOptions BatchOptions { get; init; } = new();

    /// <summary>Null uses AWS_LAMBDA_RUNTIME_API.</summary>
    public IRuntimeApiClient? RuntimeApi { get; init; }

    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        var sink = new OutputSink(Output);
        var runtimeApi = RuntimeApi;
        using var ownedClient = runtimeApi is null ? CreateRuntimeClient() : null;
        if (ownedClient is null && runtimeApi is null)
        {
            sink.WriteLine($"{RuntimeApiClient.RuntimeApiVariable} is not set: this program runs inside Lambda or under tools/LocalLambdaHost.");
            return 2;
        }

        runtimeApi ??= ownedClient!;
        IImageReplicator? replicator = null;
        HttpClient? eventsHttp = null;

        Task<LambdaBootstrapHandler> InitializeAsync(CancellationToken token)
        {
            try
            {
                var config = FunctionConfig.Load(Environment);
                var logger = new FunctionLogger(sink, config.LogLevel, config.LogFormat, TimeProvider);
                var metrics = new MetricsWriter(sink, config.MetricsNamespace, TimeProvider);
                var deadLetterQueue = DeadLetterQueueFactory is not null
                    ? DeadLetterQueueFactory(config)
                    : config.DeadLetterQueueUrl is { } url ? new SqsDeadLetterQueue(SqsDeadLetterQueue.CreateClient(config.Region, config.SqsEndpoint), url) : null;
                replicator = ReplicatorFactory(config);
                ReplicatedEventPublisher? replicatedEvents = null;
                if (config.ReplicatedEventBus is { } bus)
                {
                    var client = EventBridgeClientFactory?.Invoke(config) ?? new EventBridgeClient(
                        eventsHttp = EcrClientFactory.CreateHttpClient(), new AwsSdkCredentialsSource(), bus.RegionOr(config.Region), config.ReplicatedEventEndpoint!, TimeProvider);
                    replicatedEvents = new ReplicatedEventPublisher(client, logger, metrics, TimeProvider, ReplicatedEventSettings);
                }

                var recordHandler = new RecordHandler(config, replicator, logger, metrics, TimeProvider, replicatedEvents);
                var visibility = MessageVisibilityFactory?.Invoke(config) ?? new SqsMessageVisibility(() => SqsDeadLetterQueue.CreateClient(config.Region, config.SqsEndpoint));
                var redelivery = new RedeliveryScheduler(visibility, config.Redelivery, config.SqsEndpoint, logger);
                var reconciler = CreateReconciler(config, replicator);
                var scheduled = reconciler is null ? null : new ScheduledReconcile(reconciler, config, logger, metrics, TimeProvider);
                var handler = new FunctionHandler(new BatchProcessor(recordHandler, deadLetterQueue, logger, BatchOptions, redelivery), logger, scheduled);
                logger.Debug($"Initialized: {config.Destinations.Count} destination(s), dead-letter queue {(deadLetterQueue is null ? "off" : "on")}, replicated events {(replicatedEvents is null ? "off" : "on")}");
                return Task.FromResult<LambdaBootstrapHandler>(handler.HandleAsync);
            }
            catch (ConfigurationException ex)
            {
                // Before the logger exists: a plain line, never a stack trace, for a configuration mistake.
                sink.WriteLine($"Configuration invalid: {Redactor.Redact(ex.Message)}");
                throw;
            }
            catch (Exception ex)
            {
                sink.WriteLine($"Initialization failed: {ex.GetType().Name}: {Redactor.Redact(ex.Message)}");
                throw;
            }
        }

        var bootstrap = new LambdaBootstrap(runtimeApi, InitializeAsync, Environment, TimeProvider)
        {
            InitErrorType = static ex => ex is ConfigurationException ? RuntimeErrorTypes.ConfigInvalid : null,
        };
        try
        {
            return await bootstrap.RunAsync(cancellationToken);
        }
        finally
        {
            (replicator as IDisposable)?.Dispose();
            eventsHttp?.Dispose();
        }
    }

    /// <summary>
    /// The reconciler when RECONCILE_QUEUE_URL is set: it reads through the engine's own retrying clients (source and
    /// destinations, with their credentials), so it needs the engine as <see cref="ReplicatorServices"/> builds it.
    /// </summary>
    private Reconciler? CreateReconciler(FunctionConfig config, IImageReplicator replicator)
    {
        if (config.ReconcileQueueUrl is not { } queue || replicator is not ReplicatorServices services)
        {
            return null;
        }

        var engine = services.Replicator;
        var scanner = new DriftScanner(
            engine.Clients.GetClient(config.Region),
            engine.DestinationClients,
            config.Destinations,
            config.RepositoryMapping,
            config.ToDriftSelection(),
            new RequestPacer(ReconcileReadsPerSecond, TimeProvider));
        var sender = ReconcileQueueFactory?.Invoke(config) ?? new SqsMessageSender(SqsDeadLetterQueue.CreateClient(config.Region, config.SqsEndpoint), queue.AbsoluteUri);
        var store = ReconcileCursorStoreFactory is not null
            ? ReconcileCursorStoreFactory(config)
            : config.ReconcileCursorParameter is { } name
                ? new SsmReconcileCursorStore(SsmReconcileCursorStore.CreateClient(config.Region, ServiceEndpoints.Override(Environment, ServiceEndpoints.SsmVariable)), name)
                : null;
        return new Reconciler(scanner, sender, TimeProvider, store);
    }

    private RuntimeApiClient? CreateRuntimeClient()
    {
        var address = Environment.GetEnvironmentVariable(RuntimeApiClient.RuntimeApiVariable);
        return string.IsNullOrWhiteSpace(address) ? null : new RuntimeApiClient(address);
    }
}
