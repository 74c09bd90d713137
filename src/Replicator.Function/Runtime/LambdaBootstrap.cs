using Replicator.Core.Configuration;
using Replicator.Function.Configuration;
using Replicator.Function.Observability;

namespace Replicator.Function.Runtime;

/// <summary>
/// The custom runtime loop, after Amazon.Lambda.RuntimeSupport's LambdaBootstrap: initialize once, then
/// next -> handle -> respond forever. A handler exception is posted as an invocation error and the loop goes on;
/// an init failure is posted to init/error and <see cref="RunAsync"/> returns a non-zero exit code.
/// </summary>
public sealed class LambdaBootstrap(
    IRuntimeApiClient runtimeApi,
    LambdaBootstrapHandler handler,
    LambdaBootstrapInitializer? initializer,
    IEnvironmentVariables environment,
    TimeProvider timeProvider,
    Func<FunctionLogger?>? logger = null)
{
    public const string TraceIdVariable = "_X_AMZN_TRACE_ID";

    /// <summary>
    /// The handler's token fires this long before the deadline, so a cancelled handler still has time to
    /// return its partial answer before Lambda kills the invocation.
    /// </summary>
    public TimeSpan ResponseReserve { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled (0) or initialization fails (1).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        if (!await InitializeAsync(cancellationToken))
        {
            return 1;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            RuntimeInvocation invocation;
            try
            {
                invocation = await runtimeApi.GetNextInvocationAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await InvokeOnceAsync(invocation, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        return 0;
    }

    internal async Task InvokeOnceAsync(RuntimeInvocation invocation, CancellationToken cancellationToken)
    {
        // X-Ray and the AWS SDK read the trace header from this variable; it must describe this invocation only.
        environment.SetEnvironmentVariable(TraceIdVariable, invocation.TraceId);
        var deadline = DateTimeOffset.FromUnixTimeMilliseconds(invocation.DeadlineMs);
        var context = new LambdaContext(invocation.AwsRequestId, invocation.InvokedFunctionArn, deadline, invocation.TraceId, timeProvider);
        var budget = context.RemainingTime - ResponseReserve;
        using var deadlineSource = new CancellationTokenSource(budget > TimeSpan.Zero ? budget : TimeSpan.Zero, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadlineSource.Token, cancellationToken);

        byte[] response;
        try
        {
            response = await handler(new InvocationRequest(invocation.Payload, context), linked.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger?.Invoke()?.Error($"Invocation failed: {ex.GetType().Name}: {ex.Message}", new LogFields { RequestId = invocation.AwsRequestId, ErrorType = ex.GetType().Name });
            await runtimeApi.ReportInvocationErrorAsync(invocation.AwsRequestId, ToRuntimeError(ex, ex.GetType().Name), RuntimeErrorTypes.UnknownReason, cancellationToken);
            return;
        }

        try
        {
            await runtimeApi.SendResponseAsync(invocation.AwsRequestId, response, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // E.g. 413 for a response above 6 MB: the invocation must still end, as an error.
            await runtimeApi.ReportInvocationErrorAsync(invocation.AwsRequestId, ToRuntimeError(ex, "Runtime.ResponseRejected"), RuntimeErrorTypes.UnknownReason, cancellationToken);
        }
    }

    /// <summary>Builds a runtime error whose message and stack lines went through the redaction guard.</summary>
    internal static RuntimeError ToRuntimeError(Exception exception, string errorType)
    {
        var stack = (exception.StackTrace ?? string.Empty)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Redactor.Redact)
            .ToArray();
        return new RuntimeError(Redactor.Redact(exception.Message), errorType, stack);
    }

    private async Task<bool> InitializeAsync(CancellationToken cancellationToken)
    {
        if (initializer is null)
        {
            return true;
        }

        try
        {
            await initializer(cancellationToken);
            return true;
        }
        catch (ConfigurationException ex)
        {
            await runtimeApi.ReportInitializationErrorAsync(ToRuntimeError(ex, RuntimeErrorTypes.ConfigInvalid), RuntimeErrorTypes.ConfigInvalid, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await runtimeApi.ReportInitializationErrorAsync(ToRuntimeError(ex, ex.GetType().Name), RuntimeErrorTypes.UnknownReason, cancellationToken);
        }

        return false;
    }
}
