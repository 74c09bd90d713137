namespace Replicator.Function.Redelivery;

/// <summary>Sets how long a received message stays invisible (SQS ChangeMessageVisibility).</summary>
public interface IMessageVisibility
{
    /// <summary>Throws when the queue did not accept the change; the caller logs it and leaves the message alone.</summary>
    Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken);
}
