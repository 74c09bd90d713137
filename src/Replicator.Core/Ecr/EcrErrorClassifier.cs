using System.Collections.Frozen;
using System.Net;
using System.Text.Json;
using Replicator.Core.Errors;

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

    // Throttling codes: botocore's ThrottledRetryableChecker._THROTTLED_ERROR_CODES (botocore/retries/standard.py,
    // the SDKs' "standard" retry mode, docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html), which
    // includes LimitExceededException (ECR models it on BatchGetImage, UploadLayerPart and PutImage), plus the
    // "throttling"/"throttled_exception"/"request_throttled_exception" policies of botocore/data/_retry.json.
    // ThrottleException is in neither list; it is the spelling some AWS services use for the same thing, and
    // treating it as throttling costs nothing (the retries are bounded) where dead-lettering costs an image.
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
        EcrErrorCodes.LimitExceededException,
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        EcrErrorCodes.ThrottleException);

    // botocore's TransientRetryableChecker._TRANSIENT_ERROR_CODES (botocore/retries/standard.py), and the codes
    // this client and ECR give a timeout, a cut connection or a server-side fault.
    private static readonly FrozenSet<string> OtherTransientCodes = FrozenSet.Create(
        StringComparer.Ordinal,
        EcrErrorCodes.RequestTimeout,
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        EcrErrorCodes.ConnectionFailure,
        EcrErrorCodes.InternalFailure,
        "InternalError",
        EcrErrorCodes.ServiceUnavailable,
        EcrErrorCodes.ServerException);

    // botocore's TransientRetryableChecker._TRANSIENT_STATUS_CODES (botocore/retries/standard.py), the same four as
    // _retry.json's general_server_error, bad_gateway, service_unavailable and gateway_timeout: a 501 or 505 says the
    // request will never be served, and retrying it only delays the dead-letter entry that names it.
    private static readonly FrozenSet<int> TransientStatusCodes = FrozenSet.Create(500, 502, 503, 504);

    // The KMS codes (an ECR KmsException's kmsError member) that say "try again": throttling (KMS answers
    // ThrottlingException over its request quota, docs.aws.amazon.com/kms/latest/developerguide/requests-per-second.html),
    // and the three errors botocore's KMS model documents as retryable: DependencyTimeoutException ("You can retry
    // the request"), KMSInternalException ("The request can be retried"), KeyUnavailableException ("You can retry").
    // Anything else (a disabled key, a missing grant, KMSInvalidStateException) will fail again the same way.
    // Compared without case and after a "KMS." prefix: the exact text ECR puts in kmsError is not documented, and
    // S3 reports the same KMS failures as "KMS.ThrottlingException"
    // (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html), so either spelling must read as throttling.
    private static readonly FrozenSet<string> TransientKmsErrors = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "ThrottlingException",
        "LimitExceededException",
        "DependencyTimeoutException",
        "KMSInternalException",
        "KeyUnavailableException");

    // The throttling codes, read as TransientKmsErrors are: without case, after the "KMS." prefix.
    private static readonly FrozenSet<string> KmsThrottlingCodes = ThrottlingCodes.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

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

    /// <summary>Throttling codes, 500, 502, 503, 504, 429, 509, timeouts and connection failures are transient; everything else is permanent.</summary>
    public static bool IsTransient(string errorCode, HttpStatusCode? statusCode) => IsTransient(errorCode, statusCode, kmsError: null);

    /// <summary>
    /// As <see cref="IsTransient(string, HttpStatusCode?)"/>, and a <c>KmsException</c> is transient when its
    /// <c>kmsError</c> (botocore's ECR model: "The error code returned by KMS") is throttling or a retryable KMS fault.
    /// </summary>
    public static bool IsTransient(string errorCode, HttpStatusCode? statusCode, string? kmsError)
    {
        ArgumentNullException.ThrowIfNull(errorCode);
        if (errorCode == EcrErrorCodes.KmsException)
        {
            return IsTransientKmsError(kmsError);
        }

        if (IsThrottling(errorCode, statusCode) || OtherTransientCodes.Contains(errorCode))
        {
            return true;
        }

        return statusCode is { } status && TransientStatusCodes.Contains((int)status);
    }

    /// <summary>A KMS error code that retrying can get past (see <c>TransientKmsErrors</c>).</summary>
    public static bool IsTransientKmsError(string? kmsError) =>
        KmsCode(kmsError) is { } code && (TransientKmsErrors.Contains(code) || KmsThrottlingCodes.Contains(code));

    /// <summary>A KMS error code that says KMS throttled ECR's request: retried with the throttling backoff.</summary>
    public static bool IsThrottlingKmsError(string? kmsError) =>
        KmsCode(kmsError) is { } code && KmsThrottlingCodes.Contains(code);

    /// <summary>
    /// KMS's LimitExceededException: botocore's throttling list names it, so the call is retried as throttling, but
    /// KMS throttles with ThrottlingException and uses this code for count quotas, which waiting does not lift.
    /// </summary>
    public static bool IsKmsQuota(string? kmsError) =>
        string.Equals(KmsCode(kmsError), EcrErrorCodes.LimitExceededException, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// KMS's AccessDeniedException, its answer when IAM or the key policy does not allow the call
    /// (https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html), read as the other KMS codes are.
    /// </summary>
    public static bool IsKmsAccessDenied(string? kmsError) =>
        string.Equals(KmsCode(kmsError), EcrErrorCodes.AccessDeniedException, StringComparison.OrdinalIgnoreCase);

    /// <summary>The KMS code of a <c>kmsError</c>, normalised and without a "KMS." prefix; null when blank.</summary>
    private static string? KmsCode(string? kmsError) =>
        NormalizeErrorCode(kmsError) is { } code
            ? code.StartsWith("KMS.", StringComparison.OrdinalIgnoreCase) ? code[4..] : code
            : null;

    /// <summary>
    /// The account's request rate is over a quota: back off harder than for a flaky connection. HTTP 509 is the
    /// "limit_exceeded" policy of botocore/data/_retry.json.
    /// </summary>
    public static bool IsThrottling(string errorCode, HttpStatusCode? statusCode) =>
        ThrottlingCodes.Contains(errorCode) || statusCode == HttpStatusCode.TooManyRequests || (statusCode is { } s && (int)s == 509);

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
        string? kmsError = null;
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
                        case "kmserror" when reader.TokenType == JsonTokenType.String:
                            kmsError ??= reader.GetString();
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
        return new EcrErrorDetails(code, Truncate(message) ?? DefaultMessage(statusCode), lastValidByteReceived) { KmsError = Truncate(kmsError) };
    }

    public static string CodeForStatus(HttpStatusCode statusCode) => statusCode switch
    {
        HttpStatusCode.ServiceUnavailable => EcrErrorCodes.ServiceUnavailable,
        HttpStatusCode.TooManyRequests => EcrErrorCodes.ThrottlingException,
        HttpStatusCode.GatewayTimeout or HttpStatusCode.RequestTimeout => EcrErrorCodes.RequestTimeout,
        HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway => EcrErrorCodes.InternalFailure,
        _ => EcrErrorCodes.UnknownError,
    };

    private static string DefaultMessage(HttpStatusCode statusCode) =>
        $"HTTP {(int)statusCode} without an error message";

    /// <summary>
    /// ECR's message, on one line and cut at <see cref="MaxMessageLength"/> without splitting a word: the redaction of
    /// the lines that quote it runs after the cut, and half a token is too short for its patterns (<see cref="ErrorText"/>).
    /// </summary>
    private static string? Truncate(string? message) =>
        string.IsNullOrWhiteSpace(message) ? null : ErrorText.Quote(message, MaxMessageLength);
}
