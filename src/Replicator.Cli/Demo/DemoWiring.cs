using Replicator.Core.Configuration;
using Replicator.Core.Ecr;

namespace Replicator.Cli.Demo;

/// <summary>What the demo hands the function: its environment (never the process's) and clients bound to the local ECR.</summary>
public sealed record DemoWiring(IEnvironmentVariables Environment, IEcrClientProvider Clients, HttpClient Http, TimeProvider Time);
