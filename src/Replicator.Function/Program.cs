using Replicator.Core.Composition;
using Replicator.Core.Configuration;
using Replicator.Core.Replication;
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

    ReplicatorFactory = (config, observer) => ReplicatorServices.Create(
        ProcessEnvironmentVariables.Instance,
        config.ToReplicatorOptions(),
        observer: observer,
        access: config.Access,
        homeRegion: config.Region,
        trustedRoots: config.TrustedRoots),
};
return await host.RunAsync(stopping.Token);
