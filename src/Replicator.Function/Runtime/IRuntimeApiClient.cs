namespace Replicator.Function.Runtime;

/// <summary>The Lambda Runtime API (2018-06-01) as the bootstrap loop uses it.</summary>
public interface IRuntimeApiClient
{
    /// <summary>Waits for the next invocation: no timeout, Lambda freezes the environment inside this call.</summary>
    Task<RuntimeInvocation> GetNextInvocationAsync(CancellationToken cancellationToken);

    Task SendResponseAsync(string awsRequestId, byte[] payload, CancellationToken cancellationToken);

    Task ReportInvocationErrorAsync(string awsRequestId, RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken);

    Task ReportInitializationErrorAsync(RuntimeError error, string errorTypeHeader, CancellationToken cancellationToken);
}
