using System.Text.Json;
using Replicator.Function.Events;

namespace Replicator.Function.Tests.Support;

/// <summary>Builds EventBridge bodies and SQS records for tests.</summary>
public static class Events
{
    public const string Digest = "sha256:2de558ee630688d4305fcac8013bdd6521ec9dd913ddd93d86bdd4208ffefba1";
    public const string OtherDigest = "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd12345678";

    public static string Body(
        string action = "PUSH",
        string? tag = "v1",
        string repository = "my-app",
        string digest = Digest,
        string result = "SUCCESS",
        string account = "000000000000",
        string region = "us-east-1",
        string source = "aws.ecr",
        string detailType = "ECR Image Action",
        string time = "2026-11-28T04:00:00Z")
    {
        var detail = new Dictionary<string, string>
        {
            ["result"] = result,
            ["repository-name"] = repository,
            ["image-digest"] = digest,
            ["action-type"] = action,
        };
        if (tag is not null)
        {
            detail["image-tag"] = tag;
        }

        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("version", "0");
            json.WriteString("id", "13cde686-328b-6117-af20-0e5566167482");
            json.WriteString("detail-type", detailType);
            json.WriteString("source", source);
            json.WriteString("account", account);
            json.WriteString("time", time);
            json.WriteString("region", region);
            json.WriteStartArray("resources");
            json.WriteEndArray();
            json.WriteStartObject("detail");
            foreach (var (key, value) in detail)
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// A record as the event source mapping delivers it from <paramref name="queueArn"/> (by default <see cref="QueueArn"/>,
    /// a queue of the account <see cref="Body"/> names by default): the function takes its own account from it.
    /// </summary>
    public static SQSMessage Record(string messageId, string body, string? group = "g1", string? queueArn = QueueArn) => new()
    {
        MessageId = messageId,
        Body = body,
        Attributes = group is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["MessageGroupId"] = group },
        EventSourceArn = queueArn,
    };

    /// <summary>The FIFO queue of the records, in the account and region <see cref="Body"/> names by default.</summary>
    public const string QueueArn = "arn:aws:sqs:us-east-1:000000000000:ecr-replicator.fifo";

    /// <summary>The replication queue of <paramref name="account"/>'s stack in <paramref name="region"/>.</summary>
    public static string QueueArnOf(string account, string region = "us-east-1") => $"arn:aws:sqs:{region}:{account}:ecr-replicator.fifo";

    /// <summary>A push of <paramref name="tag"/> as the event source mapping delivers it: receive count, receipt handle "rh-ID", queue ARN.</summary>
    public static SQSMessage Received(string messageId, string tag, string group, int receiveCount)
    {
        var record = Record(messageId, Body(tag: tag), group);
        record.Attributes["ApproximateReceiveCount"] = receiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new SQSMessage
        {
            MessageId = record.MessageId,
            Body = record.Body,
            Attributes = record.Attributes,
            ReceiptHandle = "rh-" + messageId,
            EventSourceArn = QueueArn,
        };
    }

    public static SQSEvent Batch(params SQSMessage[] records) => new() { Records = records.ToList() };

    public static string EventsDirectory => Path.Combine(AppContext.BaseDirectory, "events");
}
