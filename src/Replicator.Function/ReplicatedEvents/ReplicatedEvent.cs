using Replicator.Core.EventBridge.Model;

namespace Replicator.Function.ReplicatedEvents;

/// <summary>One event to put, with what a warning and the failure metric need to say which one it was.</summary>
public sealed record ReplicatedEvent(string DestinationRegion, string Digest, PutEventsRequestEntry Entry);
