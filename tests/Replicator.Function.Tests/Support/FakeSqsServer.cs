using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Replicator.Function.Tests.Support;

/// <summary>
/// SQS SendMessage over the AWS JSON protocol on loopback, enough for AWSSDK.SQS: records each request and
/// answers with the MD5 digests the SDK verifies (body and message attributes, per the SQS documentation).
/// </summary>
public sealed class FakeSqsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSqsServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<(string Target, JsonElement Body)> Requests { get; } = new();

    /// <summary>When set, every request fails with this status and a JSON error.</summary>
    public HttpStatusCode? FailWith { get; set; }

    public static async Task<FakeSqsServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeSqsServer(app);
        app.MapPost("/", server.HandleAsync);
        await app.StartAsync();
        server.Endpoint = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var target = context.Request.Headers["X-Amz-Target"].ToString();
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var body = document.RootElement.Clone();
        Requests.Enqueue((target, body));
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (FailWith is { } status)
        {
            context.Response.StatusCode = (int)status;
            await context.Response.WriteAsync("{\"__type\":\"com.amazonaws.sqs#InvalidParameterValue\",\"message\":\"refused\"}");
            return;
        }

        var md5Body = Hex(MD5.HashData(Encoding.UTF8.GetBytes(body.GetProperty("MessageBody").GetString()!)));
        var md5Attributes = body.TryGetProperty("MessageAttributes", out var attributes) ? Hex(AttributesMd5(attributes)) : null;
        var answer = md5Attributes is null
            ? $"{{\"MessageId\":\"{Guid.NewGuid()}\",\"MD5OfMessageBody\":\"{md5Body}\"}}"
            : $"{{\"MessageId\":\"{Guid.NewGuid()}\",\"MD5OfMessageBody\":\"{md5Body}\",\"MD5OfMessageAttributes\":\"{md5Attributes}\"}}";
        await context.Response.WriteAsync(answer);
    }

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

    private static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);
}
