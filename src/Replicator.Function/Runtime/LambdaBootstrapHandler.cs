namespace Replicator.Function.Runtime;

/// <summary>Handles one invocation; the token is cancelled shortly before the invocation's deadline. Returns the response payload.</summary>
public delegate Task<byte[]> LambdaBootstrapHandler(InvocationRequest invocation, CancellationToken cancellationToken);
