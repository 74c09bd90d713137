using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Replicator.Function.Events;
using Replicator.Samples;

namespace Replicator.Cli.Demo;

/// <summary>
/// The events a push produces and the SQS batch that carries them. Pure and deterministic (ids are hashes, the time
/// comes in). ECR emits one "ECR Image Action" per PutImage: each child of a multi-arch push (and its attestation)
/// by digest without a tag, then the index with its tag (https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html).
/// </summary>
public static class DemoEvents
{
    public static IReadOnlyList<EcrImageActionEvent> ForPush(string account, string region, string repository, SampleImage image, string tag, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(image);
        return [.. image.Manifests.Select(m => EventFactory.Push(account, region, repository, m.Digest, ReferenceEquals(m, image.Root) ? tag : null, time))];
    }

    /// <summary>A FIFO batch as an event source mapping delivers it: in order, one message group, string attributes.</summary>
    public static SQSEvent Batch(IReadOnlyList<EcrImageActionEvent> events, string queueArn, string region, DateTimeOffset sent)
    {
        ArgumentNullException.ThrowIfNull(events);
        var epochMs = sent.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var records = events.Select((e, i) =>
        {
            var message = EventFactory.Message(e);
            var id = EventIds.Uuid(message.DeduplicationId);
            return new SQSMessage
            {
                MessageId = id,
                ReceiptHandle = "demo-" + message.DeduplicationId[..32],
                Body = message.Body,
                Attributes = new Dictionary<string, string>
                {
                    ["ApproximateReceiveCount"] = "1",
                    ["SentTimestamp"] = epochMs,
                    ["SequenceNumber"] = (18849496460467696128m + i).ToString(CultureInfo.InvariantCulture),
                    ["MessageGroupId"] = message.GroupId,
                    ["SenderId"] = "AIDAEXAMPLEDEMO",
                    ["MessageDeduplicationId"] = message.DeduplicationId,
                    ["ApproximateFirstReceiveTimestamp"] = epochMs,
                },
                Md5OfBody = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.Body))),
                EventSource = "aws:sqs",
                EventSourceArn = queueArn,
                AwsRegion = region,
            };
        });
        return new SQSEvent { Records = [.. records] };
    }

    public static string Serialize(SQSEvent value) => JsonSerializer.Serialize(value, EventJsonContext.Default.SQSEvent);
}
