namespace Replicator.Core.Errors;

/// <summary>
/// A failure of the engine itself (not of one ECR call), with a stable code and a retry verdict.
/// Messages name the image or layer involved and never contain a URL, credential or token.
/// </summary>
public sealed class ReplicationException : Exception
{
    public ReplicationException(string errorCode, string message, bool isTransient, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        IsTransient = isTransient;
    }

    public ReplicationException()
        : this("ReplicationError", "replication failed", isTransient: false)
    {
    }

    public ReplicationException(string message)
        : this("ReplicationError", message, isTransient: false)
    {
    }

    public ReplicationException(string message, Exception innerException)
        : this("ReplicationError", message, isTransient: false, innerException)
    {
    }

    public string ErrorCode { get; }

    public bool IsTransient { get; }
}
