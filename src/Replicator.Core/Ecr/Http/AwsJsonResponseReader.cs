using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Replicator.Core.Ecr.Http;

/// <summary>
/// Reads the answers of an AWS JSON 1.1 service, for every client on that protocol (ECR, and EventBridge's
/// PutEvents): a success body under a size cap, and an error's code and message from its <c>X-Amzn-Errortype</c>
/// header and at most <see cref="EcrErrorClassifier.MaxErrorBodyBytes"/> of its body. What each client makes of
/// them (its exception type, its caps) stays with the client.
/// </summary>
internal static class AwsJsonResponseReader
{
    /// <summary>
    /// The body as <typeparamref name="TResponse"/>; an empty one (Content-Length 0) is a new instance. A body over
    /// <paramref name="maxBytes"/> is refused with <paramref name="tooLarge"/> (given the bytes seen so far): before
    /// reading when its declared length says so, else as soon as the cap is passed.
    /// </summary>
    public static async Task<TResponse> ReadAsync<TResponse>(
        HttpResponseMessage response, JsonTypeInfo<TResponse> typeInfo, long maxBytes, Func<long, Exception> tooLarge, CancellationToken cancellationToken)
        where TResponse : new()
    {
        if (response.Content.Headers.ContentLength == 0)
        {
            return new TResponse();
        }

        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw tooLarge(response.Content.Headers.ContentLength.Value);
        }

        await using var stream = new CappedReadStream(await response.Content.ReadAsStreamAsync(cancellationToken), maxBytes, tooLarge);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken) ?? new TResponse();
    }

    /// <summary>The code, message and extra members of an error response (<see cref="EcrErrorClassifier.Parse"/>).</summary>
    public static async Task<EcrErrorDetails> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var header = response.Headers.TryGetValues("X-Amzn-Errortype", out var values) ? values.FirstOrDefault() : null;
        var buffer = ArrayPool<byte>.Shared.Rent(EcrErrorClassifier.MaxErrorBodyBytes);
        try
        {
            var length = await ReadCappedAsync(response.Content, buffer.AsMemory(0, EcrErrorClassifier.MaxErrorBodyBytes), cancellationToken);
            return EcrErrorClassifier.Parse(response.StatusCode, header, buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads at most <c>buffer.Length</c> bytes (the rest is dropped with the connection); a broken body reads as what arrived.</summary>
    private static async Task<int> ReadCappedAsync(HttpContent content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(cancellationToken);
            while (total < buffer.Length)
            {
                var read = await stream.ReadAsync(buffer[total..], cancellationToken);
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
