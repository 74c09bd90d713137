using System.Text;
using System.Text.Json;
using Replicator.Function.Events;

namespace Soak;

/// <summary>EventBridge "ECR Image Action" PUSH events wrapped in SQS records, as the queue delivers them.</summary>
public static class SoakEvents
{
    public static SQSMessage Push(string messageId, string account, string region, string repository, string digest, string tag, DateTimeOffset time)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream))
        {
            json.WriteStartObject();
            json.WriteString("version", "0");
            json.WriteString("id", messageId);
            json.WriteString("detail-type", EcrEventParser.ExpectedDetailType);
            json.WriteString("source", EcrEventParser.ExpectedSource);
            json.WriteString("account", account);
            json.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("region", region);
            json.WriteStartArray("resources");
            json.WriteEndArray();
            json.WriteStartObject("detail");
            json.WriteString("result", "SUCCESS");
            json.WriteString("repository-name", repository);
            json.WriteString("image-digest", digest);
            json.WriteString("action-type", "PUSH");
            json.WriteString("image-tag", tag);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return new SQSMessage
        {
            MessageId = messageId,
            Body = Encoding.UTF8.GetString(stream.ToArray()),
            Attributes = new Dictionary<string, string> { [SQSMessage.MessageGroupIdAttribute] = repository },
            EventSourceArn = $"arn:aws:sqs:{region}:{account}:ecr-replicator.fifo",
            AwsRegion = region,
        };
    }
}
