using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Function.Enqueue;

namespace Replicator.Function.DeadLetter;

/// <summary>The dead-letter queue over AWSSDK.SQS (SendMessage); FIFO attributes only for a .fifo queue.</summary>
public sealed class SqsDeadLetterQueue(IAmazonSQS sqs, Uri queueUrl) : IDeadLetterQueue
{
    /// <summary>
    /// SQS message attribute values share the message's size limit with the body; a reason never needs more than this
    /// (in UTF-16 units, so at most 3 KB of UTF-8: far below the limit next to an EventBridge event).
    /// </summary>
    public const int MaxReasonLength = 1024;

    /// <summary>The replicator's own sender values are a word; a longer one, set by someone else, is cut to this.</summary>
    public const int MaxSenderLength = 64;

    public bool IsFifo { get; } = queueUrl.AbsolutePath.EndsWith(".fifo", StringComparison.Ordinal);

    public async Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var attributes = new Dictionary<string, MessageAttributeValue>
        {
            [DeadLetterMessage.ErrorAttribute] = new() { DataType = "String", StringValue = Cut(message.Reason) },
            [DeadLetterMessage.ErrorTypeAttribute] = new() { DataType = "String", StringValue = Cut(message.ErrorType) },
        };

        // Carried over as received, as SQS's own redrive policy moves a message whole: the message a redrive brings
        // back to the replication queue must still say the replicator sent it, or it counts in ReplicationLatency as
        // a fresh push. Cleaned like the other values; an empty one, which SQS could not have delivered (an attribute's
        // value "must not be empty or null":
        // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html), is
        // left out rather than failing the send.
        if (!string.IsNullOrEmpty(message.Sender))
        {
            attributes[SenderAttribute.Name] = new() { DataType = "String", StringValue = SqsAttributeText.Clean(message.Sender, MaxSenderLength) };
        }

        var request = new SendMessageRequest
        {
            QueueUrl = queueUrl.AbsoluteUri,
            MessageBody = message.Body,
            MessageAttributes = attributes,
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
