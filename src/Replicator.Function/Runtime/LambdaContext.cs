namespace Replicator.Function.Runtime;

public sealed class LambdaContext(string awsRequestId, string invokedFunctionArn, DateTimeOffset deadline, string? traceId, TimeProvider timeProvider) : ILambdaContext
{
    public string AwsRequestId => awsRequestId;

    public string InvokedFunctionArn => invokedFunctionArn;

    public DateTimeOffset Deadline => deadline;

    public TimeSpan RemainingTime
    {
        get
        {
            var left = deadline - timeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public string? TraceId => traceId;
}
