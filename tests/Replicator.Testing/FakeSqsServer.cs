using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Replicator.Testing;

/// <summary>
/// SQS SendMessage and SendMessageBatch over the AWS JSON 1.0 protocol AWSSDK.SQS v4 speaks (POST /, X-Amz-Target),
/// on loopback: records each request and answers with the MD5 digests the SDK verifies (body and message
/// attributes, per the SQS documentation), and refuses a SendMessage over SQS's size limit. Batch entries of a group
/// in <see cref="RefuseGroups"/> come back in Failed, those of a group in <see cref="ServerFaultGroups"/> too but as
/// SQS's own fault; <see cref="FailWith"/> fails every request.
/// </summary>
public sealed class FakeSqsServer : IAsyncDisposable
{
    private LoopbackApp _app = null!;

    public Uri Endpoint => _app.Endpoint;

    public ConcurrentQueue<(string Target, string ContentType, bool Signed, JsonElement Body)> Requests { get; } = new();

    public ConcurrentDictionary<string, bool> RefuseGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The batch entries accepted (answered in <c>Successful</c>), in the order they were queued: a FIFO queue hands a
    /// group's messages to its consumer in this order, so an entry failed and sent again comes after those accepted
    /// beside it.
    /// </summary>
    public ConcurrentQueue<(string GroupId, string Body)> Queued { get; } = new();

    /// <summary>
    /// Groups whose batch entries fail on SQS's side (<c>SenderFault</c> false, <c>InternalError</c>), each the given
    /// number of times more, counted per entry.
    /// </summary>
    public ConcurrentDictionary<string, int> ServerFaultGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// SQS's limit on a message, body and attributes (name, type and value of each) counted in UTF-8 bytes
    /// (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html); a
    /// SendMessage over it is refused, as SQS refuses it.
    /// </summary>
    public const int MaxMessageBytes = 1_048_576;

    public HttpStatusCode? FailWith { get; set; }

    /// <summary>The error code of a <see cref="FailWith"/> answer.</summary>
    public string FailCode { get; set; } = "InvalidParameterValue";

    public static async Task<FakeSqsServer> StartAsync()
    {
        var server = new FakeSqsServer();
        server._app = await LoopbackApp.StartAsync(server.HandleAsync);
        return server;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        var signed = context.Request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal);
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var body = document.RootElement.Clone();
        Requests.Enqueue((target, context.Request.ContentType ?? string.Empty, signed, body));
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (FailWith is { } status)
        {
            await RefuseAsync(context, (int)status, FailCode, "refused");
            return;
        }

        switch (target)
        {
            case "AmazonSQS.SendMessage" when MessageBytes(body) > MaxMessageBytes:
                await RefuseAsync(context, 400, "InvalidParameterValue", $"One or more parameters are invalid. Reason: Message must be shorter than {MaxMessageBytes} bytes.");
                break;
            case "AmazonSQS.SendMessage":
                await context.Response.WriteAsync(SendMessageAnswer(body));
                break;
            case "AmazonSQS.SendMessageBatch":
                await context.Response.WriteAsync(SendMessageBatchAnswer(body));
                break;
            default:
                await RefuseAsync(context, 400, "UnsupportedOperation", "only SendMessage and SendMessageBatch");
                break;
        }
    }

    private static Task RefuseAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(new JsonObject { ["__type"] = "com.amazonaws.sqs#" + code, ["message"] = message }.ToJsonString());
    }

    private static string SendMessageAnswer(JsonElement body)
    {
        var answer = new JsonObject { ["MessageId"] = Guid.NewGuid().ToString(), ["MD5OfMessageBody"] = BodyMd5(body) };
        if (body.TryGetProperty("MessageAttributes", out var attributes))
        {
            answer["MD5OfMessageAttributes"] = Convert.ToHexStringLower(AttributesMd5(attributes));
        }

        return answer.ToJsonString();
    }

    private string SendMessageBatchAnswer(JsonElement body)
    {
        var successful = new JsonArray();
        var failed = new JsonArray();
        foreach (var entry in body.GetProperty("Entries").EnumerateArray())
        {
            var id = entry.GetProperty("Id").GetString()!;
            if (RefuseGroups.ContainsKey(entry.GetProperty("MessageGroupId").GetString()!))
            {
                failed.Add(new JsonObject { ["Id"] = id, ["SenderFault"] = true, ["Code"] = "InvalidParameterValue", ["Message"] = "refused by the test" });
                continue;
            }

            var group = entry.GetProperty("MessageGroupId").GetString()!;
            if (ServerFaultGroups.TryGetValue(group, out var left) && left > 0)
            {
                ServerFaultGroups[group] = left - 1;
                failed.Add(new JsonObject { ["Id"] = id, ["SenderFault"] = false, ["Code"] = "InternalError", ["Message"] = "failed by the test" });
                continue;
            }

            Queued.Enqueue((group, entry.GetProperty("MessageBody").GetString()!));
            successful.Add(new JsonObject { ["Id"] = id, ["MessageId"] = Guid.NewGuid().ToString(), ["MD5OfMessageBody"] = BodyMd5(entry) });
        }

        return new JsonObject { ["Successful"] = successful, ["Failed"] = failed }.ToJsonString();
    }

    private static long MessageBytes(JsonElement message)
    {
        long size = Encoding.UTF8.GetByteCount(message.GetProperty("MessageBody").GetString()!);
        if (message.TryGetProperty("MessageAttributes", out var attributes))
        {
            foreach (var attribute in attributes.EnumerateObject())
            {
                size += Encoding.UTF8.GetByteCount(attribute.Name)
                    + Encoding.UTF8.GetByteCount(attribute.Value.GetProperty("DataType").GetString()!)
                    + Encoding.UTF8.GetByteCount(attribute.Value.GetProperty("StringValue").GetString()!);
            }
        }

        return size;
    }

    private static string BodyMd5(JsonElement message) =>
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.GetProperty("MessageBody").GetString()!)));

    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
    private static byte[] AttributesMd5(JsonElement attributes)
    {
        using var buffer = new MemoryStream();
        foreach (var attribute in attributes.EnumerateObject().OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            Write(buffer, attribute.Name);
            Write(buffer, attribute.Value.GetProperty("DataType").GetString()!);
            buffer.WriteByte(1);
            Write(buffer, attribute.Value.GetProperty("StringValue").GetString()!);
        }

        return MD5.HashData(buffer.ToArray());
    }

    private static void Write(MemoryStream buffer, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}
