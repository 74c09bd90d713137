using System.Text.Json.Serialization.Metadata;

namespace Replicator.Core.Ecr.Http;

/// <summary>Turns ECR's HTTP responses into model objects or <see cref="EcrException"/>s (the protocol part: <see cref="AwsJsonResponseReader"/>).</summary>
internal static class EcrResponseReader
{
    /// <summary>
    /// A successful answer larger than this is refused, not buffered: the largest legitimate one is BatchGetImage,
    /// and the engine asks for at most 10 manifests of at most 4 MiB each (ECR's imageManifest limit) at a time.
    /// </summary>
    public const long MaxResponseBytes = 64L * 1024 * 1024;

    public static string? RequestId(HttpResponseMessage response) =>
        response.Headers.TryGetValues("x-amzn-RequestId", out var values) ? values.FirstOrDefault() : null;

    public static Task<TResponse> ReadAsync<TResponse>(HttpResponseMessage response, JsonTypeInfo<TResponse> typeInfo, CancellationToken cancellationToken)
        where TResponse : new() =>
        AwsJsonResponseReader.ReadAsync(response, typeInfo, MaxResponseBytes, TooLarge, cancellationToken);

    public static async Task<EcrException> ReadErrorAsync(string operation, HttpResponseMessage response, string? requestId, CancellationToken cancellationToken)
    {
        var details = await AwsJsonResponseReader.ReadErrorAsync(response, cancellationToken);
        return new EcrException(details.ErrorCode, details.Message, response.StatusCode, requestId, operation, details.LastValidByteReceived, kmsError: details.KmsError);
    }

    private static EcrException TooLarge(long length) =>
        new(EcrErrorCodes.InvalidResponse, $"the response body is larger than {MaxResponseBytes} bytes ({length} or more); refused");
}
