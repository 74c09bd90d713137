using Replicator.Function.Runtime;

namespace Replicator.Function.Tests.Support;

public sealed class FakeLambdaContext(TimeProvider time, TimeSpan timeout, string requestId = "req-1") : ILambdaContext
{
    public string AwsRequestId => requestId;

    public string InvokedFunctionArn => "arn:aws:lambda:us-east-1:000000000000:function:test";

    public DateTimeOffset Deadline { get; } = time.GetUtcNow() + timeout;

    public TimeSpan RemainingTime => Deadline - time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public string? TraceId => "Root=1-5759e988-bd862e3fe1be46a994272793";
}
