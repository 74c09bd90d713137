namespace Replicator.Function.Runtime;

/// <summary>
/// The raw next-invocation answer: headers and body. <see cref="DeadlineMs"/> is null when Lambda-Runtime-Deadline-Ms
/// was missing or not a number (real Lambda always sends it; an emulator might not).
/// </summary>
public sealed record RuntimeInvocation(string AwsRequestId, long? DeadlineMs, string InvokedFunctionArn, string? TraceId, byte[] Payload);
