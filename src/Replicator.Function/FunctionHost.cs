using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Ecr;
using Replicator.Core.EventBridge;
using Replicator.Core.Replication;
using Replicator.Core.Signing;
using Replicator.Function.Configuration;
using Replicator.Function.DeadLetter;
using Replicator.Function.Observability;
using Replicator.Function.Processing;
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
                var handler = new FunctionHandler(new BatchProcessor(recordHandler, deadLetterQueue, logger, BatchOptions, redelivery), logger);
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

    private RuntimeApiClient? CreateRuntimeClient()
    {
        var address = Environment.GetEnvironmentVariable(RuntimeApiClient.RuntimeApiVariable);
        return string.IsNullOrWhiteSpace(address) ? null : new RuntimeApiClient(address);
    }
}
