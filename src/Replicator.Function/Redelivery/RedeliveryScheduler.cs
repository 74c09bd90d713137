using System.Globalization;
using Replicator.Function.Events;
using Replicator.Function.Observability;

namespace Replicator.Function.Redelivery;

/// <summary>
/// After a transient failure, brings the group's reported records back in seconds instead of after the queue's
/// visibility timeout (90 minutes with the template): a FIFO group delivers nothing while any of its messages is in
/// flight, so the failed head and every follower that never ran get the same delay. Order holds: the head is still
/// the group's first message. A failed ChangeMessageVisibility is logged and the message keeps the queue's timeout:
/// nothing is lost, it only comes back later.
/// </summary>
public sealed class RedeliveryScheduler(IMessageVisibility visibility, RedeliverySettings settings, Uri? sqsEndpoint, FunctionLogger logger, Func<double>? random = null)
{
    public const string ReceiveCountAttribute = "ApproximateReceiveCount";

    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>Sets one backoff delay on every record of <paramref name="failed"/> (the reported records of one group).</summary>
    public async Task DelayAsync(IReadOnlyList<SQSMessage> failed, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(failed);
        if (failed.Count == 0)
        {
            return;
        }

        // The group's highest receive count: followers are received (and counted) with the head, but a redriven
        // follower may have been received more often; the longest backoff keeps the group together.
        var receives = failed.Max(ReceiveCount);
        var seconds = RedeliveryBackoff.DelaySeconds(receives, settings.BaseSeconds, settings.MaxSeconds, _random());
        await Task.WhenAll(failed.Select(record => ChangeAsync(record, seconds, receives, requestId, cancellationToken)));
    }

    private async Task ChangeAsync(SQSMessage record, int seconds, int receives, string requestId, CancellationToken cancellationToken)
    {
        // The image the record names, so a redelivery line is found by repository or digest like the copy's own lines.
        var fields = RecordLogFields.Of(record, requestId).Fields;
        var queueUrl = QueueUrls.FromArn(record.EventSourceArn, sqsEndpoint);
        if (queueUrl is null || string.IsNullOrEmpty(record.ReceiptHandle))
        {
            logger.Warn("No queue URL or receipt handle: the message comes back after the queue's visibility timeout", fields with { Outcome = LogOutcomes.RedeliveryNotScheduled });
            return;
        }

        try
        {
            await visibility.ChangeAsync(queueUrl, record.ReceiptHandle, seconds, cancellationToken);
            logger.Info($"Redelivery in {seconds} s (receive {receives})", fields with { Outcome = LogOutcomes.RedeliveryScheduled });
        }
        catch (Exception ex)
        {
            // The message itself is untouched: it comes back after the queue's visibility timeout instead.
            logger.Warn($"ChangeMessageVisibility failed ({ex.GetType().Name}: {Redactor.Redact(ex.Message)}); the message comes back after the queue's visibility timeout", fields with { Outcome = LogOutcomes.RedeliveryNotScheduled, ErrorType = ex.GetType().Name });
        }
    }

    /// <summary>The record's <c>ApproximateReceiveCount</c>; 1 when missing or unreadable.</summary>
    public static int ReceiveCount(SQSMessage record) =>
        record.Attribute(ReceiveCountAttribute) is { } value && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : 1;
}
