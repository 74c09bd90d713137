using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using LocalEcr.Api;
using LocalEcr.Json;
using LocalEcr.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace LocalEcr.Hosting;

/// <summary>POST / : verify SigV4, count, inject faults, dispatch on X-Amz-Target, answer AWS JSON 1.1.</summary>
internal static class EcrEndpoint
{
    // A 20 MiB part (the model's LayerPartBlob maximum) is about 28 MB once base64 encoded inside the JSON body.
    private const int MaxBodyBytes = 32 * 1024 * 1024;

    public static async Task HandleAsync(HttpContext context, ServerContext server)
    {
        byte[] rented;
        int length;
        string bodySha256;
        try
        {
            (rented, length, bodySha256) = await ReadBodyAsync(context.Request, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            await ErrorResponse.WriteAsync(context, 413, "SerializationException", "Request body too large.");
            return;
        }

        try
        {
            await HandleBodyAsync(context, server, rented.AsMemory(0, length), bodySha256);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static async Task HandleBodyAsync(HttpContext context, ServerContext server, ReadOnlyMemory<byte> body, string bodySha256)
    {
        var request = context.Request;
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? request.Path.Value ?? "/";
        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? string.Empty : rawTarget[(queryStart + 1)..];
        var outcome = server.Verifier.Verify(request.Method, rawPath, rawQuery, request.Headers, bodySha256);
        if (!outcome.Valid)
        {
            server.Calls.RecordRefusal(outcome.ErrorCode!);
            await ErrorResponse.WriteAsync(context, AuthErrorStatus(outcome.ErrorCode), outcome.ErrorCode, outcome.ErrorMessage);
            return;
        }

        var (caller, authError, authMessage) = server.Principals.Authenticate(outcome.AccessKeyId!, request.Headers);
        if (caller is null)
        {
            await ErrorResponse.WriteAsync(context, AuthErrorStatus(authError), authError, authMessage);
            return;
        }

        var region = outcome.Region!;
        var target = request.Headers["X-Amz-Target"].ToString();
        var operation = target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal) ? target[EcrDispatcher.TargetPrefix.Length..] : target;
        server.Calls.Record(region, operation);
        if (server.Options.RecordRequests)
        {
            server.Calls.RecordRequest(region, operation, body.Span);
        }
        var handler = EcrDispatcher.Find(operation);
        if (handler is null || !target.StartsWith(EcrDispatcher.TargetPrefix, StringComparison.Ordinal))
        {
            await ErrorResponse.WriteAsync(context, 400, "UnknownOperationException", null);
            return;
        }

        // awsJson1_1 requests carry Content-Type application/x-amz-json-1.1 (botocore's JSONSerializer; the model's
        // "jsonVersion": "1.1"). An AWS JSON service answers another type as an operation it does not know: Kinesis
        // answered application/octet-stream with UnknownOperationException (disneystreaming/smithy4s#167). Refused
        // here too, so a client that drops or changes the header fails offline, not first on AWS.
        if (!IsAwsJson11(request.ContentType))
        {
            await ErrorResponse.WriteAsync(context, 400, "UnknownOperationException", null);
            return;
        }

        if (server.Faults.TakeFailure(operation, region) is { } failure)
        {
            server.Faults.NoteInjectedAnswer(ErrorResponse.RequestId(context));
            await ErrorResponse.WriteAsync(context, failure.StatusCode, failure.ErrorCode, failure.Message ?? "Injected fault: " + failure.ErrorCode);
            return;
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            using var document = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
            JsonStrings.RefuseUnreadable(document.RootElement);
            RefuseModelViolations(operation, document.RootElement);
            var call = new EcrCall
            {
                Server = server,
                Region = region,
                Operation = operation,
                Body = document.RootElement,
                RegistryId = Validate.RegistryId(document.RootElement.OptionalString("registryId"), caller.AccountId),
                CallerArn = caller.Arn,
                Aborted = context.RequestAborted,
                RequestHost = request.Host.HasValue ? request.Host.Value : null,
            };
            // Another account's registry needs a repository or registry policy that LocalEcr does not model:
            // refuse, as ECR does without one, so a test cannot pass by writing with the wrong account's keys.
            // The tag operations name the account in resourceArn instead; TagOperations refuses it the same way.
            if (call.RegistryId != caller.AccountId)
            {
                throw EcrException.AccessDenied(caller.Arn, operation, RepositoryOperations.Arn(region, call.RegistryId, document.RootElement.OptionalString("repositoryName") ?? "*"));
            }

            // A restore or a signing ends on the server's clock, seen by the first call after that moment.
            call.State.Settle(call.Server.Blobs, call.Now);
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
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && !context.RequestAborted.IsCancellationRequested)
        {
            // A disk failure (full data directory, say) is the server's fault, as ECR reports it. A file or folder of the
            // data directory LocalEcr may not open (EACCES, EPERM) is one too: .NET raises UnauthorizedAccessException
            // for it, not IOException (https://learn.microsoft.com/dotnet/api/system.io.file.openhandle, Exceptions), and
            // unhandled it became Kestrel's bare 500 with no body and no request id, which no ECR error looks like.
            await ErrorResponse.WriteAsync(context, 500, "ServerException", "LocalEcr could not read or write its data directory.");
            return;
        }

        await DelayAsync(server, operation, region, context.RequestAborted);
        await ErrorResponse.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    /// <summary>True for application/x-amz-json-1.1, with or without parameters (media types are case-insensitive, RFC 9110 section 8.3.1).</summary>
    private static bool IsAwsJson11(string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim();
        return string.Equals(mediaType, ErrorResponse.ContentType, StringComparison.OrdinalIgnoreCase);
    }

    // The AWS JSON services answer their authentication errors with 400, not the 403 of the generic common-errors pages:
    // an unknown key (or one of another partition), {"__type":"UnrecognizedClientException",...} with "400 Bad Request"
    // from ecr.us-east-1 (https://github.com/aws/aws-sdk-php/issues/1114); a bad signature, ECR's
    // "InvalidSignatureException: Signature expired: ... status code: 400" from GetAuthorizationToken
    // (https://github.com/upmc-enterprises/registry-creds/issues/24), as DynamoDB's (aws/aws-sdk-js#254, statusCode
    // 400); an expired token likewise. Only a request without a signature at all keeps 403 here: no report of ECR's
    // answer to one was found, and no client reads the status of these codes.
    private static int AuthErrorStatus(string? code) => code is "MissingAuthenticationTokenException" ? 403 : 400;

    // ECR checks a request against its model before the operation runs: a wrong JSON type is a
    // SerializationException, a broken constraint an InvalidParameterException listing each one, as in
    // "2 validation errors detected: Value null at 'repositoryName' failed to satisfy constraint: ...".
    private static void RefuseModelViolations(string operation, JsonElement body)
    {
        if (!EcrModel.Instance.Knows(operation))
        {
            return;
        }

        var violations = EcrModel.Instance.Check(operation, body);
        if (violations.FirstOrDefault(v => v.Kind == "type") is { } mistyped)
        {
            throw new EcrException("SerializationException", mistyped.Message);
        }

        if (violations.Count > 0)
        {
            var count = violations.Count == 1 ? "1 validation error" : $"{violations.Count} validation errors";
            throw EcrException.InvalidParameter($"{count} detected: {string.Join("; ", violations.Select(v => v.Message))}");
        }
    }

    private static Task DelayAsync(ServerContext server, string operation, string region, CancellationToken cancellationToken)
    {
        var delay = server.Faults.TakeDelay(operation, region);
        return delay > TimeSpan.Zero ? server.Faults.HoldAsync(delay, server.Time, cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// The whole body in a buffer rented from the shared pool (the caller returns it): an UploadLayerPart body is
    /// ~14 MB, and a MemoryStream plus ToArray made two large-object-heap copies of it per request. The SigV4
    /// payload hash is computed piece by piece as the body arrives, while each piece is still in the CPU's cache,
    /// instead of a second pass over 14 MB.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length, string Sha256Hex)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is > MaxBodyBytes)
        {
            throw new InvalidDataException("Body too large.");
        }

        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is { } declared ? (int)declared + 1 : 4096);
        var length = 0;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                hash.AppendData(buffer, length, read);
                length += read;
                if (length > MaxBodyBytes)
                {
                    throw new InvalidDataException("Body too large.");
                }

                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
            }

            return (buffer, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
