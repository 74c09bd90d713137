namespace LocalLambdaHost;

/// <summary>How an invocation ended: a response, an invocation error, or an init error (then <see cref="RequestId"/> is empty).</summary>
public sealed record LocalInvocationResult(string RequestId, LocalInvocationStatus Status, string Body, string? ErrorType)
{
    public bool IsSuccess => Status == LocalInvocationStatus.Response;
}
