using Replicator.Function.Runtime;

namespace Soak;

/// <summary>An invocation context with Lambda's maximum timeout: the soak is about outcomes, not deadlines.</summary>
internal sealed class SoakLambdaContext(string requestId) : ILambdaContext
{
    public string AwsRequestId => requestId;

    public string InvokedFunctionArn => "arn:aws:lambda:us-east-1:000000000000:function:soak";

    public DateTimeOffset Deadline { get; } = DateTimeOffset.UtcNow.AddMinutes(15);

    public TimeSpan RemainingTime => Deadline - DateTimeOffset.UtcNow;

    public string? TraceId => null;
}
