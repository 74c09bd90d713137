namespace Replicator.Function.Processing;

/// <summary>The result of one record; <see cref="Reason"/> and <see cref="ErrorType"/> are set for failures (already redacted).</summary>
public sealed record RecordResult(RecordOutcome Outcome, string? Reason = null, string? ErrorType = null)
{
    public static RecordResult Succeeded { get; } = new(RecordOutcome.Succeeded);

    public bool IsDone => Outcome is RecordOutcome.Succeeded or RecordOutcome.Acknowledged;
}
