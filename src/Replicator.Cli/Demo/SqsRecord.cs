using System.Text.Json.Serialization;

namespace Replicator.Cli.Demo;

/// <summary>One record of the SQS event Lambda hands the function (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html).</summary>
public sealed record SqsRecord
{
    [JsonPropertyName("messageId")]
    public required string MessageId { get; init; }

    [JsonPropertyName("receiptHandle")]
    public required string ReceiptHandle { get; init; }

    [JsonPropertyName("body")]
    public required string Body { get; init; }

    /// <summary>Every attribute value is a string, as Lambda sends them.</summary>
    [JsonPropertyName("attributes")]
    public required IReadOnlyDictionary<string, string> Attributes { get; init; }

    [JsonPropertyName("messageAttributes")]
    public IReadOnlyDictionary<string, string> MessageAttributes { get; init; } = new Dictionary<string, string>();

    [JsonPropertyName("md5OfBody")]
    public required string Md5OfBody { get; init; }

    [JsonPropertyName("eventSource")]
    public string EventSource { get; init; } = "aws:sqs";

    [JsonPropertyName("eventSourceARN")]
    public required string EventSourceArn { get; init; }

    [JsonPropertyName("awsRegion")]
    public required string AwsRegion { get; init; }
}
