using Replicator.Core.Replication;

namespace Replicator.Core.Composition;

/// <summary>
/// The engine as the one who built it holds it: it replicates, and it owns what the engine runs on (the HTTP clients,
/// the destinations' credentials and SSM client); disposing it releases them. <see cref="ReplicatorServices"/> is the
/// one the product builds. A shell that is handed one (the function's host) disposes it when it stops, and its type
/// says so.
/// </summary>
public interface IReplicatorOwner : IImageReplicator, IDisposable
{
}
