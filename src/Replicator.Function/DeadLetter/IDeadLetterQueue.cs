namespace Replicator.Function.DeadLetter;

public interface IDeadLetterQueue
{
    /// <summary>Sends the message; throws when it was not accepted (the caller then reports the record failed).</summary>
    Task SendAsync(DeadLetterMessage message, CancellationToken cancellationToken);
}
