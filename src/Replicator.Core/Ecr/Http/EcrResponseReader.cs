using System.Buffers;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Replicator.Core.Ecr.Model;

namespace Replicator.Core.Ecr.Http;

/// <summary>Turns HTTP responses into model objects or <see cref="EcrException"/>s.</summary>
internal static class EcrResponseReader
{
    public static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var values) ? values.FirstOrDefault() : null;

    public static async Task<TResponse> ReadAsync<TResponse>(HttpResponseMessage response, JsonTypeInfo<TResponse> typeInfo, CancellationToken cancellationToken)
        where TResponse : new()
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return new TResponse();
        }

        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            throw TooLarge(response.Content.Headers.ContentLength.Value);
        }

        await using var stream = new CappedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), MaxResponseBytes, TooLarge);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken) ?? new TResponse();
    }

    /// <summary>
    /// A successful answer larger than this is refused, not buffered: the largest legitimate one is BatchGetImage,
    /// and the engine asks for at most 10 manifests of at most 4 MiB each (ECR's imageManifest limit) at a time.
    /// </summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    private static EcrException TooLarge(long length) =>
        new(EcrErrorCodes.InvalidResponse, $"the response body is larger than {MaxResponseBytes} bytes ({length} or more); refused");

    public static async Task<EcrException> ReadErrorAsync(string operation, HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var header = response.Headers.TryGetValues("X-Amzn-Errortype", out var values) ? values.FirstOrDefault() : null;
        var buffer = ArrayPool<byte>.Shared.Rent(EcrErrorClassifier.MaxErrorBodyBytes);
        try
        {
            var length = await ReadCappedAsync(response.Content, buffer, cancellationToken);
            var details = EcrErrorClassifier.Parse(response.StatusCode, header, buffer.AsSpan(0, length));
            return new EcrException(details.ErrorCode, details.Message, response.StatusCode, requestId, operation, details.LastValidByteReceived, kmsError: details.KmsError);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads at most <c>buffer.Length</c> bytes (the rest is dropped with the connection); a broken body reads as what arrived.</summary>
    private static async Task<int> ReadCappedAsync(HttpContent content, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            while (total < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The status and headers already tell what failed; a body cut short must not hide that.
        }

        return total;
    }
}
