using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LocalEcr.Hosting;

/// <summary>Writes answers in the AWS JSON 1.1 shape, errors as ECR sends them.</summary>
internal static class ErrorResponse
{
    public const string ContentType = "application/x-amz-json-1.1";

    public static async Task WriteAsync(HttpContext context, int status, string? code, string? message, Action<Utf8JsonWriter>? members = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.Headers["x-amzn-RequestId"] = RequestId(context);
        if (string.IsNullOrEmpty(code))
        {
            response.ContentLength = 0;
            return;
        }

        response.Headers["X-Amzn-Errortype"] = code;
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("__type", code);
            w.WriteString("message", message ?? code);
            members?.Invoke(w);
            w.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer.WrittenMemory);
    }

    public static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json)
    {
        context.Response.Headers["x-amzn-RequestId"] = RequestId(context);
        context.Response.ContentType = ContentType;
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>The request's x-amzn-RequestId, created on first use and the same for the rest of the request.</summary>
    public static string RequestId(HttpContext context)
    {
        if (context.Items.TryGetValue("x-amzn-RequestId", out var id) && id is string existing)
        {
            return existing;
        }

        var created = Guid.NewGuid().ToString();
        context.Items["x-amzn-RequestId"] = created;
        return created;
    }
}
