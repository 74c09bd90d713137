namespace Replicator.Function.Runtime;

/// <summary>The invocation's context, shaped like Amazon.Lambda.Core's ILambdaContext (the members this function uses).</summary>
public interface ILambdaContext
{
    string AwsRequestId { get; }

    string InvokedFunctionArn { get; }

    /// <summary>When Lambda ends the invocation (Lambda-Runtime-Deadline-Ms).</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>Time left until <see cref="Deadline"/>, never negative.</summary>
    TimeSpan RemainingTime { get; }

    string? TraceId { get; }
}
