namespace LocalLambdaHost;

/// <summary>One POST to an invocation's response (<see cref="LocalInvocationStatus.Response"/>) or error path, and the status it got.</summary>
public sealed record LocalInvocationPost(string RequestId, LocalInvocationStatus Kind, int StatusCode);
