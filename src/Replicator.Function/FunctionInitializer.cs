using Amazon.SQS;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Destinations;
using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;
using Replicator.Core.Partitions;
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
/// The runtime loop's initializer (<see cref="LambdaBootstrapInitializer"/>): reads the configuration once and builds
/// the handler from the host's factories. It owns what it builds that holds connections (the engine the factory
/// returns, the PutEvents client's pool, the SQS client once built) and disposes them with itself, after the loop has
/// stopped.
/// </summary>
internal sealed class FunctionInitializer(FunctionHost host, OutputSink sink) : IDisposable
{
    private IReplicatorOwner? _replicator;
    private Lazy<IAmazonSQS>? _sqs;
    private HttpClient? _eventsHttp;
    private FunctionLogger? _logger;

    public Task<LambdaBootstrapHandler> InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(Build(FunctionConfig.Load(host.Environment)));
        }
        catch (ConfigurationException ex)
        {
            // Never a stack trace, for a configuration mistake.
            InitFailed($"Configuration invalid: {ex.Message}");
            throw;
        }
        catch (Exception ex)
        {
            InitFailed($"Initialization failed: {ex.GetType().Name}: {ex.Message}");
            throw;
        }
    }

    /// <summary>
    /// The line saying why init failed, at FATAL (the function cannot run) and in the log format Lambda set, before the
    /// configuration (and so the logger) exists. With JSON logs Lambda filters application lines by their
    /// <c>level</c> and gives a line without one, plain text included, the level INFO
    /// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html): a plain line was
    /// dropped at an application log level of WARN or above, so the only line naming the broken variable never
    /// reached CloudWatch Logs. FATAL is kept at every level. The logger redacts the message.
    /// </summary>
    private void InitFailed(string message) =>
        new FunctionLogger(sink, LogLevel.Trace, FunctionConfigLoader.LogFormatOf(host.Environment), host.TimeProvider).Log(LogLevel.Fatal, message);

    /// <summary>A Runtime API failure the loop survived: a WARN line with the invocation's request id once the logger exists.</summary>
    public void RuntimeApiWarning(string awsRequestId, string message)
    {
        if (_logger is { } logger)
        {
            logger.Warn(message, new LogFields { RequestId = awsRequestId });
        }
        else
        {
            sink.WriteLine($"{message} (request {awsRequestId})");
        }
    }

    public void Dispose()
    {
        _replicator?.Dispose();
        _eventsHttp?.Dispose();
        if (_sqs is { IsValueCreated: true } sqs)
        {
            sqs.Value.Dispose();
        }
    }

    private LambdaBootstrapHandler Build(FunctionConfig config)
    {
        var time = host.TimeProvider;
        var logger = _logger = new FunctionLogger(sink, config.LogLevel, config.LogFormat, time);
        var metrics = new MetricsWriter(sink, config.MetricsNamespace, time);
        if (MetricsWriter.FilteredOutWarning(config.LogLevel, config.LogFormat) is { } warning)
        {
            // WARN, or the configured level when it is higher: a line below it would be dropped like the metrics.
            logger.Log(config.LogLevel > LogLevel.Warn ? config.LogLevel : LogLevel.Warn, warning);
        }

        if (config.LayerMemoryFit?.Warning is { } lowered)
        {
            logger.Warn(lowered);
        }

        foreach (var unknown in UnknownRegionWarnings(config.Destinations, host.Environment))
        {
            logger.Warn(unknown);
        }

        // An entry left behind by a destination removed from DESTINATION_REGIONS, or a mistyped one: not an init error
        // (that stopped every destination until the next deploy), but said once per instance, where a typo is seen.
        foreach (var ignored in config.IgnoredEntries)
        {
            logger.Warn(ignored.ToString());
        }

        // One SQS client for the dead-letter sends, the visibility changes and the reconciler's sends (one region, one
        // endpoint), built on its first use: most invocations send nothing, and the AWSSDK clients built at init (this
        // one twice, and the cursor's SSM client) cost every cold start with the stack's default settings about 3 ms of
        // CPU (docs/performance.md). PublicationOnly: a client that could not be built is built again on the next use,
        // not failed for the life of the execution environment.
        var sqs = _sqs = new Lazy<IAmazonSQS>(
            () => host.SqsClientFactory?.Invoke(config) ?? SqsMessageSender.CreateClient(config.Region, config.SqsEndpoint, host.Environment),
            LazyThreadSafetyMode.PublicationOnly);
        var deadLetterQueue = host.DeadLetterQueueFactory is not null
            ? host.DeadLetterQueueFactory(config)
            : config.DeadLetterQueueUrl is { } url ? new SqsDeadLetterQueue(() => sqs.Value, url) : null;
        var replicator = _replicator = host.ReplicatorFactory(config, new EngineLogObserver(logger));
        var replicatedEvents = CreateReplicatedEventPublisher(config, logger, metrics);
        var recordHandler = new RecordHandler(config, replicator, logger, metrics, time, replicatedEvents);
        var visibility = host.MessageVisibilityFactory?.Invoke(config) ?? new SqsMessageVisibility(() => sqs.Value);
        var redelivery = new RedeliveryScheduler(visibility, config.Redelivery, config.SqsEndpoint, logger);
        var reconciler = CreateReconciler(config, replicator, () => sqs.Value);
        var scheduled = reconciler is null ? null : new ScheduledReconcile(reconciler, config, logger, metrics, time);
        var batchOptions = config.MaxReceiveCount is { } maxReceiveCount ? host.BatchOptions with { MaxReceiveCount = maxReceiveCount } : host.BatchOptions;
        var handler = new FunctionHandler(new BatchProcessor(recordHandler, deadLetterQueue, logger, batchOptions, redelivery, time), logger, scheduled);
        logger.Debug($"Initialized: {config.Destinations.Count} destination(s), dead-letter queue {(deadLetterQueue is null ? "off" : "on")}, replicated events {(replicatedEvents is null ? "off" : "on")}");
        return handler.HandleAsync;
    }

    /// <summary>
    /// One warning per destination region this build does not know (<see cref="AwsRegions"/>), unless an ECR endpoint
    /// override is set (a local ECR accepts any name). Not an init error: a region launched after this build must
    /// still work. A mistyped one fails each copy there as <c>UnknownRegionHostNotFound</c>, permanently.
    /// </summary>
    internal static IEnumerable<string> UnknownRegionWarnings(IReadOnlyList<ReplicationDestination> destinations, IEnvironmentVariables environment)
    {
        if (EcrEndpoints.IsOverridden(environment))
        {
            return [];
        }

        return destinations.Select(d => d.Region).Distinct(StringComparer.Ordinal).Where(r => !AwsRegions.IsKnown(r)).Select(r =>
            $"DESTINATION_REGIONS: {r} is not a region this build knows: if it is mistyped, its ECR endpoint does not exist and "
            + $"every copy to it fails as {EcrErrorCodes.UnknownRegionHostNotFound} (dead-lettered, not retried); a region launched after this build works as usual");
    }

    /// <summary>The publisher when REPLICATED_EVENT_BUS is set, signing with the function's own credentials (the default chain).</summary>
    private ReplicatedEventPublisher? CreateReplicatedEventPublisher(FunctionConfig config, FunctionLogger logger, MetricsWriter metrics)
    {
        if (config.ReplicatedEventBus is not { } bus)
        {
            return null;
        }

        var client = host.EventBridgeClientFactory?.Invoke(config) ?? new EventBridgeClient(
            _eventsHttp = EcrClientFactory.CreateHttpClientTrusting(config.TrustedRoots), new AwsSdkCredentialsSource(), bus.RegionOr(config.Region), config.ReplicatedEventEndpoint!, host.TimeProvider);
        return new ReplicatedEventPublisher(client, logger, metrics, host.TimeProvider, host.ReplicatedEventSettings);
    }

    /// <summary>
    /// The reconciler when RECONCILE_QUEUE_URL is set: it reads through the engine's own retrying clients (source and
    /// destinations, with their credentials), so it needs the engine as <see cref="ReplicatorServices"/> builds it.
    /// A host whose factory returns another engine cannot reconcile, and says so at init rather than leaving the
    /// schedule silently without effect.
    /// </summary>
    private Reconciler? CreateReconciler(FunctionConfig config, IImageReplicator replicator, Func<IAmazonSQS> sqs)
    {
        if (config.ReconcileQueueUrl is not { } queue)
        {
            return null;
        }

        if (replicator is not ReplicatorServices services)
        {
            throw new InvalidOperationException(
                $"RECONCILE_QUEUE_URL is set, but the host's engine is a {replicator.GetType().Name}, not {nameof(ReplicatorServices)}: the reconciler reads through its clients.");
        }

        var engine = services.Replicator;
        var scanner = new DriftScanner(
            engine.Clients.GetClient(config.Region),
            engine.DestinationClients,
            config.Destinations,
            config.RepositoryMapping,
            config.ToDriftSelection(),
            new RequestPacer(host.ReconcileReadsPerSecond, host.TimeProvider));
        var sender = host.ReconcileQueueFactory?.Invoke(config) ?? new SqsMessageSender(sqs, queue.AbsoluteUri);
        var store = host.ReconcileCursorStoreFactory is not null
            ? host.ReconcileCursorStoreFactory(config)
            : config.ReconcileCursorParameter is { } name
                ? new SsmReconcileCursorStore(() => SsmReconcileCursorStore.CreateClient(config.Region, ServiceEndpoints.Override(host.Environment, ServiceEndpoints.SsmVariable), host.Environment), name)
                : null;
        return new Reconciler(scanner, sender, host.TimeProvider, store, config.ToReconcileSettings());
    }
}
