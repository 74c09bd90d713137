using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using LocalEcr.Api;
using LocalEcr.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalEcr.Hosting;

/// <summary>POST / : verify SigV4, count, inject faults, dispatch on X-Amz-Target, answer AWS JSON 1.1.</summary>
internal static class EcrEndpoint
{
    // A 10 MiB part is about 14 MB once base64 encoded inside the JSON body.
    private const int MaxBodyBytes = 32 * 1024 * 1024;

    public static async Task HandleAsync(HttpContext context, ServerContext server)
    {
        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await ErrorResponse.WriteAsync(context, 413, "SerializationException", "Request body too large.");
            return;
        }

        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        var outcome = server.Verifier.Verify(request.Method, rawPath, rawQuery, request.Headers, Convert.ToHexStringLower(SHA256.HashData(body)));
        if (!outcome.Valid)
        {
            await ErrorResponse.WriteAsync(context, 403, outcome.ErrorCode, outcome.ErrorMessage);
            return;
        }

        var region = outcome.Region!;
        var target = request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal) ? target[EcrDispatcher.TargetPrefix.Length..] : target;
        server.Calls.Record(region, operation);
        var handler = EcrDispatcher.Find(operation);
        if (handler is null || !target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal))
        {
            await ErrorResponse.WriteAsync(context, 400, "UnknownOperationException", null);
            return;
        }

        if (server.Faults.TakeFailure(operation, region) is { } failure)
        {
            await ErrorResponse.WriteAsync(context, failure.StatusCode, failure.ErrorCode, failure.Message ?? "Injected fault: " + failure.ErrorCode);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            var call = new EcrCall
            {
                Server = server,
                Region = region,
                Operation = operation,
                Body = document.RootElement,
                RegistryId = Validate.RegistryId(document.RootElement.OptionalString("registryId"), server.AccountId),
                Aborted = context.RequestAborted,
                RequestHost = request.Host.HasValue ? request.Host.Value : null,
            };
            await using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
            await handler(call, writer);
            writer.WriteEndObject();
        }
        catch (JsonException)
        {
            await ErrorResponse.WriteAsync(context, 400, "SerializationException", "Start of structure or map found where not expected.");
            return;
        }
        catch (EcrException error)
        {
            await DelayAsync(server, operation, region, context.RequestAborted);
            await ErrorResponse.WriteAsync(context, error.StatusCode, error.Code, error.Message, error.Members);
            return;
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A disk failure (full data directory, say) is the server's fault, as ECR reports it.
            await ErrorResponse.WriteAsync(context, 500, "ServerException", "LocalEcr could not read or write its data directory.");
            return;
        }

        await DelayAsync(server, operation, region, context.RequestAborted);
        await ErrorResponse.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static Task DelayAsync(ServerContext server, string operation, string region, CancellationToken cancellationToken)
    {
        var delay = server.Faults.TakeDelay(operation, region);
        return delay > TimeSpan.Zero ? Task.Delay(delay, server.Time, cancellationToken) : Task.CompletedTask;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            throw new InvalidDataException("Body too large.");
        }

        using var memory = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (memory.Length + read > MaxBodyBytes)
                {
                    throw new InvalidDataException("Body too large.");
                }

                memory.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return memory.ToArray();
    }
}
