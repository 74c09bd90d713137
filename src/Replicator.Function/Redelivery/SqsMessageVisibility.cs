using Amazon.SQS;
using Amazon.SQS.Model;

namespace Replicator.Function.Redelivery;

/// <summary>ChangeMessageVisibility over AWSSDK.SQS; the client is created on first use (most batches never need it).</summary>
public sealed class SqsMessageVisibility(Func<IAmazonSQS> createClient) : IMessageVisibility
{
    // PublicationOnly: a client that could not be built once is built again on the next use; the default mode would
    // rethrow that first exception for the life of the execution environment, and every failed group would then wait
    // the queue's whole visibility timeout instead of its backoff.
    private readonly Lazy<IAmazonSQS> _sqs = new(createClient ?? throw new ArgumentNullException(nameof(createClient)), LazyThreadSafetyMode.PublicationOnly);

    public async Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queueUrl);
        ArgumentException.ThrowIfNullOrEmpty(receiptHandle);
        await _sqs.Value.ChangeMessageVisibilityAsync(
            new ChangeMessageVisibilityRequest
            {
                QueueUrl = queueUrl.AbsoluteUri,
                ReceiptHandle = receiptHandle,
                VisibilityTimeout = visibilityTimeoutSeconds,
            },
            cancellationToken);
    }
}
