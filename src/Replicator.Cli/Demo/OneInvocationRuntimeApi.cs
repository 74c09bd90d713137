using Replicator.Function.Runtime;

namespace Replicator.Cli.Demo;

/// <summary>
/// A Runtime API that hands out one invocation, keeps the answer (or the error), then stops the runtime loop,
/// as a local Runtime API host does for a single event.
/// </summary>
public sealed class OneInvocationRuntimeApi(RuntimeInvocation invocation, CancellationTokenSource stop) : IRuntimeApiClient
{
    private int _handedOut;

    public byte[]? Response { get; private set; }

    /// <summary>The error type and message the function reported, if it failed.</summary>
    public string? Error { get; private set; }

    public async Task<RuntimeInvocation> GetNextInvocationAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _handedOut, 1) == 0)
        {
            return invocation;
        }

        // Like the real API, the next call waits: here until the loop is stopped.
        await Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, cancellationToken);
        throw new OperationCanceledException(cancellationToken);
    }

    public Task SendResponseAsync(string awsRequestId, byte[] payload, CancellationToken cancellationToken)
    {
        Response = payload;
        stop.Cancel();
        return Task.CompletedTask;
    }

    public Task ReportInvocationErrorAsync(string awsRequestId, RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = $"{error.ErrorType}: {error.ErrorMessage}";
        stop.Cancel();
        return Task.CompletedTask;
    }

    public Task ReportInitializationErrorAsync(RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        Error = $"{error.ErrorType}: {error.ErrorMessage}";
        stop.Cancel();
        return Task.CompletedTask;
    }
}
