namespace Replicator.Function.Runtime;

/// <summary>Runs once before the first invocation; a throw is reported as an init error and ends the process.</summary>
public delegate Task LambdaBootstrapInitializer(CancellationToken cancellationToken);
