namespace Replicator.Function.Enqueue;

/// <summary>One FIFO message: the body, its message group and its deduplication id.</summary>
public sealed record QueueMessage(string Body, string GroupId, string DeduplicationId);
