using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Replicator.Cli.Tests.Support;

/// <summary>
/// SQS SendMessageBatch over the AWS JSON 1.0 protocol AWSSDK.SQS v4 speaks (POST /, X-Amz-Target
/// AmazonSQS.SendMessageBatch), on loopback. Records each request and answers with the per-entry MD5 of the body,
/// which the SDK checks. Entries of a group in <see cref="RefuseGroups"/> come back in Failed.
/// </summary>
internal sealed class FakeSqsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeSqsServer(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public ConcurrentQueue<(string Target, string ContentType, bool Signed, JsonElement Body)> Requests { get; } = new();

    public ConcurrentDictionary<string, bool> RefuseGroups { get; } = new(StringComparer.Ordinal);

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
        var signed = context.Request.Headers.Authorization.ToString().StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal);
        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var body = document.RootElement.Clone();
        Requests.Enqueue((target, context.Request.ContentType ?? string.Empty, signed, body));
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (target != "AmazonSQS.SendMessageBatch")
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync("{\"__type\":\"com.amazonaws.sqs#UnsupportedOperation\",\"message\":\"only SendMessageBatch\"}");
            return;
        }

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

            var md5 = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(entry.GetProperty("MessageBody").GetString()!)));
            successful.Add(new JsonObject { ["Id"] = id, ["MessageId"] = Guid.NewGuid().ToString(), ["MD5OfMessageBody"] = md5 });
        }

        await context.Response.WriteAsync(new JsonObject { ["Successful"] = successful, ["Failed"] = failed }.ToJsonString());
    }
}
