namespace Replicator.Function.Events;

/// <summary>An SQS body that is not a well-formed ECR Image Action event; <see cref="Field"/> names what is wrong.</summary>
public sealed class InvalidEventException : Exception
{
    public InvalidEventException()
    {
        Field = string.Empty;
    }

    public InvalidEventException(string message)
        : base(message)
    {
        Field = string.Empty;
    }

    public InvalidEventException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = string.Empty;
    }

    public InvalidEventException(string field, string message)
        : base(message)
    {
        Field = field;
    }

    public string Field { get; }
}
