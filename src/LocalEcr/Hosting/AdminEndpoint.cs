using System.Buffers;
using System.Text.Json;
using LocalEcr.Json;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>
/// /_localecr/...: the fault injector, call counts and restores over HTTP, without signature (like the admin side
/// of any test double: LocalEcr binds to loopback unless told otherwise). Contract in README.md.
/// </summary>
internal static class AdminEndpoint
{
    public const string Prefix = "/_localecr/";

    public static async Task HandleAsync(HttpContext context, ServerContext server)
    {
        var path = context.Request.Path.Value![Prefix.Length..].TrimEnd('/');
        var method = context.Request.Method;
        try
        {
            if (HttpMethods.IsGet(method) && path == "calls")
            {
                await WriteCallsAsync(context, server);
                return;
            }

            if (!HttpMethods.IsPost(method))
            {
                context.Response.StatusCode = 405;
                return;
            }

            using var document = await ReadAsync(context);
            var body = document.RootElement;
            var faults = server.Faults;
            switch (path)
            {
                case "reset-calls": server.Calls.Reset(); break;
                case "faults/clear": faults.Clear(); break;
                case "faults/fail":
                    faults.FailNext(body.RequiredString("operation"), (int)(body.OptionalLong("count") ?? 1), body.OptionalString("errorCode"),
                        (int)(body.OptionalLong("statusCode") ?? 400), body.OptionalString("region"), body.OptionalString("message"));
                    break;
                case "faults/delay":
                    faults.DelayResponses(body.RequiredString("operation"), TimeSpan.FromMilliseconds(body.OptionalLong("delayMs") ?? 0),
                        (int?)body.OptionalLong("count"), body.OptionalString("region"));
                    break;
                case "faults/cut-download":
                    faults.CutDownloadAfter(body.OptionalLong("afterBytes") ?? 0, body.OptionalString("digest"), (int)(body.OptionalLong("count") ?? 1), body.OptionalBool("expireUrls") ?? false,
                        body.OptionalBool("reset") ?? false);
                    break;
                case "faults/stall-download":
                    faults.StallDownloadAfter(body.OptionalLong("afterBytes") ?? 0, TimeSpan.FromMilliseconds(body.OptionalLong("stallMs") ?? 0),
                        body.OptionalString("digest"), (int)(body.OptionalLong("count") ?? 1));
                    break;
                case "faults/corrupt-download":
                    faults.CorruptDownload(body.OptionalLong("offset") ?? 0, body.OptionalString("digest"), (int)(body.OptionalLong("count") ?? 1));
                    break;
                case "expire-download-urls": faults.ExpireDownloadUrls(); break;
                case "forget-uploads": faults.ForgetUploads(); break;
                case "finish-restores": server.Registry.FinishRestores(); break;
                case "finish-signing": server.Registry.FinishSigning(server.Blobs); break;
                default:
                    context.Response.StatusCode = 404;
                    return;
            }

            context.Response.StatusCode = 204;
        }
        catch (Exception error) when (error is JsonException or ArgumentException or Api.EcrException)
        {
            context.Response.StatusCode = 400;
            await context.Response.WriteAsync(error.Message, context.RequestAborted);
        }
    }

    private static async Task<JsonDocument> ReadAsync(HttpContext context)
    {
        using var memory = new MemoryStream();
        await context.Request.Body.CopyToAsync(memory, context.RequestAborted);
        return memory.Length == 0 ? JsonDocument.Parse("{}") : JsonDocument.Parse(memory.ToArray());
    }

    private static async Task WriteCallsAsync(HttpContext context, ServerContext server)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("calls");
            foreach (var ((region, operation), count) in server.Calls.Snapshot().OrderBy(kv => kv.Key.Region, StringComparer.Ordinal).ThenBy(kv => kv.Key.Operation, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("region", region);
                w.WriteString("operation", operation);
                w.WriteNumber("count", count);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
