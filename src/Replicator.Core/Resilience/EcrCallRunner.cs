using Polly;
using Polly.Retry;
using Replicator.Core.Ecr;

namespace Replicator.Core.Resilience;

/// <summary>
/// Runs ECR calls through one Polly retry pipeline: transient errors (throttling, 500/502/503/504, timeouts, cut
/// connections: <see cref="EcrException.IsTransient"/>) are retried with capped exponential backoff and
/// jitter, throttling from a larger base; permanent errors and the caller's cancellation pass straight through.
/// </summary>
public sealed class EcrCallRunner
{
    private readonly ResiliencePipeline _pipeline;

    /// <param name="onRetry">Told of every retry, before its wait (the engine passes its observer's <c>Retrying</c>).</param>
    public EcrCallRunner(RetrySettings settings, TimeProvider time, Func<double> random, Action<EcrRetry>? onRetry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfNegative(settings.MaxRetries);
        var backoff = new RetryBackoff(settings, time, random);
        var retry = new RetryStrategyOptions
        {
            MaxRetryAttempts = settings.MaxRetries,
            ShouldHandle = new PredicateBuilder().Handle<EcrException>(static e => e.IsTransient),
            DelayGenerator = args =>
            {
                var throttled = args.Outcome.Exception is EcrException { IsThrottling: true };
                return new ValueTask<TimeSpan?>(backoff.Delay(args.AttemptNumber, throttled));
            },
            OnRetry = args =>
            {
                if (onRetry is not null && args.Outcome.Exception is EcrException e)
                {
                    var operation = args.Context.Properties.GetValue(OperationKey, "?");
                    var target = args.Context.Properties.GetValue(TargetKey, "?");

                    // Polly numbers the attempt that failed from 0, so the first retry follows attempt 0.
                    onRetry(new EcrRetry(operation, target, args.AttemptNumber + 1, e.ErrorCode, args.RetryDelay));
                }

                return default;
            },
        };

        // Polly's retry strategy requires at least one retry (MaxRetryAttempts is validated as 1 or more): a budget of
        // no call retries, which RetrySettings' worst case (1 + MaxRetries) allows, runs each call once, unwrapped.
        _pipeline = settings.MaxRetries == 0 ? ResiliencePipeline.Empty : BuildRetryPipeline(retry, time);
    }

    /// <summary>
    /// The retry pipeline, its options checked by <see cref="RetryOptionsValidator"/> rather than by Polly's reflection
    /// over them, which was a tenth of the function's cold start on a CPU (docs/performance.md).
    /// </summary>
    private static ResiliencePipeline BuildRetryPipeline(RetryStrategyOptions retry, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        RetryOptionsValidator.TryUse(builder, retry);
        return builder.AddRetry(retry).Build();
    }

    internal static ResiliencePropertyKey<string> OperationKey { get; } = new("ecr.operation");

    internal static ResiliencePropertyKey<string> TargetKey { get; } = new("ecr.target");

    /// <summary>Runs one ECR call; <paramref name="state"/> keeps the callback free of closures.</summary>
    /// <param name="operation">The ECR operation, for the retry report.</param>
    /// <param name="target">Where the call goes (region or <c>ACCOUNT:REGION</c>), for the retry report.</param>
    public async Task<TResult> RunAsync<TState, TResult>(
        string operation,
        string target,
        TState state,
        Func<TState, CancellationToken, Task<TResult>> call,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(operation, cancellationToken);
        context.Properties.Set(OperationKey, operation);
        context.Properties.Set(TargetKey, target);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (ctx, s) => await s.call(s.state, ctx.CancellationToken),
                context,
                (call, state));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
