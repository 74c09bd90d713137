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

    ReplicatorFactory = config => ReplicatorEngine.Create(
        ProcessEnvironmentVariables.Instance,
        new ReplicatorOptions { MaxParallelLayers = config.MaxParallelLayers, KmsKeyIds = config.KmsKeyIds, RepositoryMapping = config.RepositoryMapping },
        access: config.Access,
        homeRegion: config.Region).Replicator,
};
return await host.RunAsync(stopping.Token);
