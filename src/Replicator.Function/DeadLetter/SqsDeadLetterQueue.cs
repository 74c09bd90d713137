using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using Replicator.Function.Enqueue;

namespace Replicator.Function.DeadLetter;

/// <summary>The dead-letter queue over AWSSDK.SQS (SendMessage); FIFO attributes only for a .fifo queue.</summary>
/// <param name="sqs">Gives the client at each send: the function's shared client, built on its first use.</param>
/// <param name="queueUrl">The dead-letter queue.</param>
public sealed class SqsDeadLetterQueue(Func<IAmazonSQS> sqs, Uri queueUrl) : IDeadLetterQueue
{
    public SqsDeadLetterQueue(IAmazonSQS sqs, Uri queueUrl)
        : this(() => sqs, queueUrl)
    {
    }

    /// <summary>
    /// SQS message attribute values share the message's size limit with the body; a reason never needs more than this
    /// (in UTF-16 units, so at most 3 KB of UTF-8: far below the limit next to an EventBridge event).
    /// </summary>
    public const int MaxReasonLength = 1024;

    /// <summary>
    /// SQS's limit on one message, in UTF-8 bytes: the body and every attribute's name, type and value together ("All
    /// parts of the message attribute, including Name, Type, and Value, are part of the message size restriction (1 MiB
    /// or 1,048,576 bytes)": https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html).
    /// </summary>
    public const int MaxMessageBytes = 1_048_576;

    /// <summary>The replicator's own sender values are a word; a longer one, set by someone else, is cut to this.</summary>
    public const int MaxSenderLength = 64;

    /// <summary>A reason cut shorter than this says nothing, and is left out instead.</summary>
    private const int MinCutReasonLength = 16;

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

        FitWithin(MaxMessageBytes, message.Body, attributes);
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

        var response = await sqs().SendMessageAsync(request, cancellationToken);
        if (string.IsNullOrEmpty(response.MessageId))
        {
            throw new InvalidOperationException("SQS accepted the dead-letter message without returning a message id.");
        }
    }

    /// <summary>
    /// Makes body and attributes fit <paramref name="limit"/>: a body the replication queue delivered fits on its own,
    /// but with up to ~6 KB of reasons beside it a body near the limit would make SQS refuse the send on every receive,
    /// and the message would reach the dead-letter queue only by the redrive policy, days later and without its
    /// reason. The body is never cut (it is the message to replay); the reason gives way first, then the error type
    /// (both are in the function's log line as well), each cut to what is left or, with no room, left out. The sender
    /// goes last: it fitted beside the body when the message was delivered, but a foreign value longer than
    /// <see cref="MaxSenderLength"/> is cut with a 3-byte ellipsis, which can make it a byte or two longer than it came.
    /// </summary>
    internal static void FitWithin(int limit, string body, Dictionary<string, MessageAttributeValue> attributes)
    {
        // The body, up to 1 MiB, is counted once; only the attributes change below.
        long forAttributes = limit - Encoding.UTF8.GetByteCount(body);
        var over = AttributesSize(attributes) - forAttributes;
        foreach (var name in (string[])[DeadLetterMessage.ErrorAttribute, DeadLetterMessage.ErrorTypeAttribute, SenderAttribute.Name])
        {
            if (over <= 0)
            {
                return;
            }

            if (!attributes.TryGetValue(name, out var attribute))
            {
                continue;
            }

            var value = attribute.StringValue;
            var room = Encoding.UTF8.GetByteCount(value) - over;

            // A UTF-16 unit is at most 3 UTF-8 bytes (a surrogate pair, two units, is 4), the ellipsis included, so room / 3
            // units always fit; Clean keeps at least two (a character and the ellipsis).
            if (room / 3 >= MinCutReasonLength)
            {
                attribute.StringValue = SqsAttributeText.Clean(value, (int)(room / 3));
            }
            else
            {
                attributes.Remove(name);
            }

            over = AttributesSize(attributes) - forAttributes;
        }
    }

    private static long AttributesSize(Dictionary<string, MessageAttributeValue> attributes) =>
        attributes.Sum(a => (long)Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value.DataType) + Encoding.UTF8.GetByteCount(a.Value.StringValue ?? string.Empty));

    private static string Cut(string value) => string.IsNullOrEmpty(value) ? "unknown" : SqsAttributeText.Clean(value, MaxReasonLength);
}
