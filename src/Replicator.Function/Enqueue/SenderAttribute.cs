namespace Replicator.Function.Enqueue;

/// <summary>
/// The SQS message attribute that marks a message the replicator enqueued itself (a String attribute set at
/// SendMessageBatch), as against one a push's event reached the queue by through the intake pipe, which sets none. The
/// body stays the same PUSH (or DELETE) event ECR would send; only the attribute tells them apart, so the function can
/// leave such a record out of ReplicationLatency: its event's <c>time</c> is when the sender ran, and the time since
/// then is the scan and the queue's backlog, not a push's replication.
/// </summary>
/// <remarks>
/// Lambda hands message attributes to the function in each record's <c>messageAttributes</c>
/// (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html); a name must not start with "AWS." or "Amazon."
/// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html).
/// </remarks>
public static class SenderAttribute
{
    public const string Name = "ReplicatorSender";

    /// <summary>A reconcile pass: the scheduled one, and <c>replicator sync --enqueue</c>, which runs it once.</summary>
    public const string Reconciler = "reconciler";

    /// <summary><c>replicator sync --enqueue --all</c>: every selected tag, whatever the destinations hold.</summary>
    public const string Sync = "sync";
}
