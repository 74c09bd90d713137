namespace Replicator.Function.Runtime;

/// <summary>The raw next-invocation answer: headers and body.</summary>
public sealed record RuntimeInvocation(string AwsRequestId, long DeadlineMs, string InvokedFunctionArn, string? TraceId, byte[] Payload);
