using System.Collections.Frozen;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Replicator.Core.Ecr;

/// <summary>
/// Pure rules for ECR error responses: which code an error has (AWS JSON 1.1: <c>X-Amzn-Errortype</c> or the
/// body's <c>__type</c>) and whether retrying can help.
/// </summary>
public static class EcrErrorClassifier
{
    /// <summary>At most this much of an error body is read: ECR's are well under 1 KiB; a proxy's HTML page is not.</summary>
    public const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>An ECR message is cut to this many characters before it goes into an exception message.</summary>
    public const int MaxMessageLength = 1024;

    // The throttling codes of the AWS SDKs' standard retry mode
    // (docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), and the transient ones.
    private static readonly FrozenSet<string> ThrottlingCodes = FrozenSet.Create(
        StringComparer.Ordinal,
        "Throttling",
        EcrErrorCodes.ThrottlingException,
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException");

    private static readonly FrozenSet<string> OtherTransientCodes = FrozenSet.Create(
        StringComparer.Ordinal,
        EcrErrorCodes.RequestTimeout,
        "RequestTimeoutException",
        EcrErrorCodes.ConnectionFailure,
        EcrErrorCodes.InternalFailure,
        "InternalError",
        EcrErrorCodes.ServiceUnavailable,
        EcrErrorCodes.ServerException);

    /// <summary>
    /// <c>aws.protocoltests#FooError:http://internal/</c> -> <c>FooError</c>: cut at the first ':' and keep what
    /// follows the last '#'. Returns null for null or blank input.
    /// </summary>
    public static string? NormalizeErrorCode(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        var code = raw.AsSpan().Trim();
        var colon = code.IndexOf(':');
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        code = code.Trim();
        return code.IsEmpty ? null : code.ToString();
    }

    /// <summary>Throttling codes, 5xx, 429, timeouts and connection failures are transient; everything else is permanent.</summary>
    public static bool IsTransient(string errorCode, HttpStatusCode? statusCode)
    {
        ArgumentNullException.ThrowIfNull(errorCode);
        if (IsThrottling(errorCode, statusCode) || OtherTransientCodes.Contains(errorCode))
        {
            return true;
        }

        return statusCode is { } status && (int)status >= 500;
    }

    /// <summary>The account's request rate is over a quota: back off harder than for a flaky connection.</summary>
    public static bool IsThrottling(string errorCode, HttpStatusCode? statusCode) =>
        ThrottlingCodes.Contains(errorCode) || statusCode == HttpStatusCode.TooManyRequests;

    /// <summary>
    /// The code, message and <c>lastValidByteReceived</c> of an error response. The header wins over the body
    /// (as in the Smithy AWS JSON 1.1 protocol); without either, the code comes from the status.
    /// A body that is not JSON or was cut at <see cref="MaxErrorBodyBytes"/> still yields what could be read.
    /// </summary>
    public static EcrErrorDetails Parse(HttpStatusCode statusCode, string? errorTypeHeader, ReadOnlySpan<byte> body)
    {
        string? bodyType = null;
        string? message = null;
        long? lastValidByteReceived = null;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = reader.GetString();
                    if (!reader.Read())
                    {
                        break;
                    }

                    if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                    {
                        reader.Skip();
                        continue;
                    }

                    switch (name?.ToLowerInvariant())
                    {
                        case "__type" or "code" when reader.TokenType == JsonTokenType.String:
                            bodyType ??= reader.GetString();
                            break;
                        case "message" or "errormessage" when reader.TokenType == JsonTokenType.String:
                            message ??= reader.GetString();
                            break;
                        case "lastvalidbytereceived" when reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var last):
                            lastValidByteReceived = last;
                            break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON, or truncated by the cap: keep what was read before the fault.
        }

        var code = NormalizeErrorCode(errorTypeHeader) ?? NormalizeErrorCode(bodyType) ?? CodeForStatus(statusCode);
        return new EcrErrorDetails(code, Truncate(message) ?? DefaultMessage(statusCode), lastValidByteReceived);
    }

    public static string CodeForStatus(HttpStatusCode statusCode) => statusCode switch
    {
        HttpStatusCode.ServiceUnavailable => EcrErrorCodes.ServiceUnavailable,
        HttpStatusCode.TooManyRequests => EcrErrorCodes.ThrottlingException,
        HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout => EcrErrorCodes.RequestTimeout,
        _ when (int)statusCode >= 500 => EcrErrorCodes.InternalFailure,
        _ => EcrErrorCodes.UnknownError,
    };

    private static string DefaultMessage(HttpStatusCode statusCode) =>
        $"HTTP {(int)statusCode} without an error message";

    private static string? Truncate(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return null;
        }

        if (message.Length <= MaxMessageLength)
        {
            return message;
        }

        return new StringBuilder(message, 0, MaxMessageLength, MaxMessageLength + 3).Append("...").ToString();
    }
}
