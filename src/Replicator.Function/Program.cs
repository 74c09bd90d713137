using Replicator.Core.Configuration;
using Replicator.Function;

using var stopping = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stopping.Cancel();
};

var host = new FunctionHost
{
    Environment = ProcessEnvironmentVariables.Instance,
    Output = Console.Out,

    // The engine (Replicator.Core's ImageReplicator) is wired here once it exists, e.g.
    // config => new ImageReplicator(...); until then initialization fails with a clear init error.
    ReplicatorFactory = _ => throw new NotSupportedException("The replication engine is not wired into the function yet."),
};
return await host.RunAsync(stopping.Token);
