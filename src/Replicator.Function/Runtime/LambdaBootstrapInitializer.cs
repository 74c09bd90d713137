namespace Replicator.Function.Runtime;

/// <summary>
/// Runs once before the first invocation and returns the handler it built; a throw is reported as an init error
/// (see <see cref="LambdaBootstrap.InitErrorType"/>) and ends the process.
/// </summary>
public delegate Task<LambdaBootstrapHandler> LambdaBootstrapInitializer(CancellationToken cancellationToken);
