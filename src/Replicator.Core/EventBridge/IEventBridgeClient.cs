using Replicator.Core.EventBridge.Model;

namespace Replicator.Core.EventBridge;

/// <summary>The one EventBridge operation the replicator calls.</summary>
public interface IEventBridgeClient
{
    /// <summary>
    /// Sends 1 to 10 entries in one call. Entries refused one by one come back with an <c>ErrorCode</c> in the
    /// response (the call itself succeeded); a failure of the whole call throws <see cref="EventBridgeException"/>.
    /// </summary>
    Task<PutEventsResponse> PutEventsAsync(PutEventsRequest request, CancellationToken cancellationToken);
}
