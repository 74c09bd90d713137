namespace Replicator.Function.DeadLetter;

/// <summary>A poison message on its way to the dead-letter queue: the original body and group, plus why it was refused.</summary>
public sealed record DeadLetterMessage(string Body, string? MessageGroupId, string DeduplicationId, string Reason, string ErrorType)
{
    public const string ErrorAttribute = "ReplicatorError";
    public const string ErrorTypeAttribute = "ReplicatorErrorType";
}
