using Amazon.SQS;
using Amazon.SQS.Model;

namespace Replicator.Function.DeadLetter;

/// <summary>The dead-letter queue over AWSSDK.SQS (SendMessage); FIFO attributes only for a .fifo queue.</summary>
public sealed class SqsDeadLetterQueue(IAmazonSQS sqs, Uri queueUrl) : IDeadLetterQueue
{
    /// <summary>
    /// SQS message attribute values share the message's size limit with the body; a reason never needs more than this
    /// (in UTF-16 units, so at most 3 KB of UTF-8: far below the limit next to an EventBridge event).
    /// </summary>
    public const int MaxReasonLength = 1024;

    public bool IsFifo { get; } = queueUrl.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal);

    public async Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = new SendMessageRequest
        {
            QueueUrl = queueUrl.AbsoluteUri,
            MessageBody = message.Body,
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                [DeadLetterMessage.ErrorAttribute] = new() { DataType = "String", StringValue = Cut(message.Reason) },
                [DeadLetterMessage.ErrorTypeAttribute] = new() { DataType = "String", StringValue = Cut(message.ErrorType) },
            },
        };
        if (IsFifo)
        {
            // A FIFO queue refuses a message without a group; the source message id makes a retried send a duplicate, not a second copy.
            request.MessageGroupId = message.MessageGroupId ?? "replicator-dead-letter";
            request.MessageDeduplicationId = message.DeduplicationId;
        }

        var response = await sqs.SendMessageAsync(request, cancellationToken);
        if (string.IsNullOrEmpty(response.MessageId))
        {
            throw new InvalidOperationException("SQS accepted the dead-letter message without returning a message id.");
        }
    }

    public static IAmazonSQS CreateClient(string region, Uri? endpoint)
    {
        var config = new AmazonSQSConfig();
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.AbsoluteUri;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonSQSClient(config);
    }

    private static string Cut(string value) => string.IsNullOrEmpty(value) ? "unknown" : SqsAttributeText.Clean(value, MaxReasonLength);
}
