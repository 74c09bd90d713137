using System.Collections.Concurrent;
using Replicator.Function.Redelivery;

namespace Replicator.Function.Tests.Support;

/// <summary>Records each ChangeMessageVisibility; throws instead when <see cref="Fail"/> is set.</summary>
public sealed class RecordingMessageVisibility : IMessageVisibility
{
    public ConcurrentQueue<(Uri QueueUrl, string ReceiptHandle, int Seconds)> Changes { get; } = new();

    public bool Fail { get; set; }

    public Task ChangeAsync(Uri queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new InvalidOperationException("ReceiptHandleIsInvalid");
        }

        Changes.Enqueue((queueUrl, receiptHandle, visibilityTimeoutSeconds));
        return Task.CompletedTask;
    }
}
