using Amazon.SQS;
using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.EventBridge;
using Replicator.Core.Replication;
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
    /// Builds the engine once configuration is known, given the observer that logs what the engine reports outside
    /// its results (<see cref="Observability.EngineLogObserver"/>). The host owns what it returns
    /// (<see cref="ReplicatorServices"/> in the product) and disposes it when <see cref="RunAsync"/> ends.
    /// </summary>
    public required Func<FunctionConfig, IReplicationObserver, IReplicatorOwner> ReplicatorFactory { get; init; }

    /// <summary>
    /// Builds the one SQS client of the default dead-letter queue, message visibility and reconcile sender; null builds
    /// AWSSDK.SQS's for the function's region (AWS_ENDPOINT_URL_SQS honoured). Called on the first send or visibility
    /// change, not at init, and once for all three.
    /// </summary>
    public Func<FunctionConfig, IAmazonSQS>? SqsClientFactory { get; init; }

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
        using var ownedClient = RuntimeApi is null ? CreateRuntimeClient() : null;
        var runtimeApi = RuntimeApi ?? ownedClient;
        if (runtimeApi is null)
        {
            sink.WriteLine($"{RuntimeApiClient.RuntimeApiVariable} is not set: this program runs inside Lambda or under tools/LocalLambdaHost.");
            return 2;
        }

        // The initializer owns what it builds (the engine, the PutEvents connection pool); the loop only gets the handler.
        using var initializer = new FunctionInitializer(this, sink);
        var bootstrap = new LambdaBootstrap(runtimeApi, initializer.InitializeAsync, Environment, TimeProvider)
        {
            InitErrorType = static ex => ex is ConfigurationException ? RuntimeErrorTypes.ConfigInvalid : null,
            RuntimeApiWarning = initializer.RuntimeApiWarning,
        };
        return await bootstrap.RunAsync(cancellationToken);
    }

    private RuntimeApiClient? CreateRuntimeClient()
    {
        var address = Environment.GetEnvironmentVariable(RuntimeApiClient.RuntimeApiVariable);
        return string.IsNullOrWhiteSpace(address) ? null : new RuntimeApiClient(address);
    }
}
