using System.Net;

namespace Replicator.Core.Ecr;

/// <summary>
/// A failed ECR call: the service's error (normalised code, message, status, request id) or a transport
/// failure (<see cref="EcrErrorCodes.RequestTimeout"/>, <see cref="EcrErrorCodes.ConnectionFailure"/>), with a retry
/// verdict. Caller cancellation is never one of these: it surfaces as <see cref="OperationCanceledException"/>.
/// The message never holds credentials, tokens or presigned URLs: it is built from the code, ECR's message and ids only.
/// </summary>
public sealed class EcrException : Exception
{
    public EcrException()
        : this(EcrErrorCodes.UnknownError, "ECR call failed")
    {
    }

    public EcrException(string message)
        : this(EcrErrorCodes.UnknownError, message)
    {
    }

    public EcrException(string message, Exception innerException)
        : this(EcrErrorCodes.UnknownError, message, innerException: innerException)
    {
    }

    public EcrException(
        string errorCode,
        string message,
        HttpStatusCode? statusCode = null,
        string? requestId = null,
        string? operation = null,
        long? lastValidByteReceived = null,
        Exception? innerException = null,
        string? kmsError = null)
        : base(FormatMessage(errorCode, kmsError is null ? message : $"{message} (KMS: {kmsError})", statusCode, requestId, operation), innerException)
    {
        ErrorCode = errorCode;
        ErrorMessage = message;
        StatusCode = statusCode;
        RequestId = requestId;
        Operation = operation;
        LastValidByteReceived = lastValidByteReceived;
        KmsError = kmsError;
        IsTransient = EcrErrorClassifier.IsTransient(errorCode, statusCode, kmsError);
    }

    /// <summary>The normalised code, e.g. <c>RepositoryNotFoundException</c>, <c>ThrottlingException</c>, <c>RequestTimeout</c>.</summary>
    public string ErrorCode { get; }

    /// <summary>ECR's own message (or the client's, for a transport failure), without the decoration of <see cref="Exception.Message"/>.</summary>
    public string ErrorMessage { get; }

    /// <summary>The HTTP status; null when no response arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary><c>x-amzn-RequestId</c> of the failed call, when the service answered.</summary>
    public string? RequestId { get; }

    /// <summary>The ECR operation, e.g. <c>PutImage</c>.</summary>
    public string? Operation { get; }

    /// <summary>From a KmsException: the code KMS answered ECR with; decides whether the KMS failure is transient.</summary>
    public string? KmsError { get; }

    /// <summary>Retrying the same call later can succeed (throttling, 500/502/503/504, timeout, connection failure).</summary>
    public bool IsTransient { get; }

    /// <summary>A throttling error (a subset of the transient ones): retries back off harder.</summary>
    public bool IsThrottling => EcrErrorClassifier.IsThrottling(ErrorCode, StatusCode) || (ErrorCode == EcrErrorCodes.KmsException && EcrErrorClassifier.IsThrottlingKmsError(KmsError));

    /// <summary>From an InvalidLayerPartException: the last byte of the upload ECR holds, to resume from.</summary>
    public long? LastValidByteReceived { get; }

    /// <summary>
    /// Set by the client when this refusal corrected its signing clock (<see cref="Signing.SigningClock"/>): the
    /// request is signed again and sent once more, inside the same call.
    /// </summary>
    internal bool ClockCorrected { get; set; }

    private static string FormatMessage(string errorCode, string message, HttpStatusCode? statusCode, string? requestId, string? operation)
    {
        var prefix = operation is null ? errorCode : $"{operation}: {errorCode}";
        var suffix = (statusCode, requestId) switch
        {
            (null, null) => string.Empty,
            ({ } s, null) => $" (HTTP {(int)s})",
            (null, { } r) => $" (request id {r})",
            ({ } s, { } r) => $" (HTTP {(int)s}, request id {r})",
        };
        return $"{prefix}: {message}{suffix}";
    }
}
