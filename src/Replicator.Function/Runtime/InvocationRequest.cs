namespace Replicator.Function.Runtime;

/// <summary>One invocation as GET /runtime/invocation/next returned it.</summary>
public sealed class InvocationRequest(byte[] payload, ILambdaContext lambdaContext)
{
    public ReadOnlyMemory<byte> Payload => payload;

    public ILambdaContext LambdaContext => lambdaContext;
}
