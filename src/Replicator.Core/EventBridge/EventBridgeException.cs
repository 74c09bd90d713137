using System.Net;

namespace Replicator.Core.EventBridge;

/// <summary>
/// A PutEvents call that failed as a whole: the service's error code (or one of ours for a timeout, a transport
/// failure or an unreadable answer), the HTTP status when there was one, and whether retrying can help (the
/// same rules as for ECR: botocore's standard retry mode). The message never holds credentials or the event.
/// </summary>
public sealed class EventBridgeException : Exception
{
    public EventBridgeException(string errorCode, string message, bool isTransient, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base($"{errorCode}: {message}", innerException)
    {
        ErrorCode = errorCode;
        IsTransient = isTransient;
        StatusCode = statusCode;
    }

    public EventBridgeException()
        : this("UnknownError", "PutEvents failed", isTransient: false)
    {
    }

    public EventBridgeException(string message)
        : this("UnknownError", message, isTransient: false)
    {
    }

    public EventBridgeException(string message, Exception innerException)
        : this("UnknownError", message, isTransient: false, innerException: innerException)
    {
    }

    public string ErrorCode { get; }

    public bool IsTransient { get; }

    public HttpStatusCode? StatusCode { get; }

    /// <summary>Set by the client when this refusal corrected its signing clock: the call signs again and sends once more.</summary>
    internal bool ClockCorrected { get; set; }
}
