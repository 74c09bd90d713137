namespace Replicator.Core.Signing;

/// <summary>
/// The clock one client signs with: the injected <see cref="TimeProvider"/> plus the offset its endpoint's answers
/// showed (<see cref="ClockSkew"/>), as the AWS SDK for .NET keeps one correction per endpoint
/// (<c>CorrectClockSkew.SetClockCorrectionForEndpoint</c>). Zero until a refusal proves a skew; safe for
/// concurrent calls (the last correction wins, each from a real answer).
/// </summary>
public sealed class SigningClock(TimeProvider timeProvider)
{
    private readonly TimeProvider _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
    private long _offsetTicks;

    /// <summary>What is added to the local clock when signing.</summary>
    public TimeSpan Offset => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));

    /// <summary>The time to sign with: the local clock plus <see cref="Offset"/>.</summary>
    public DateTimeOffset UtcNow => _timeProvider.GetUtcNow() + Offset;

    /// <summary>
    /// Takes the offset <see cref="ClockSkew.Offset"/> finds in a refusal of a request signed at
    /// <paramref name="signedAt"/>; true when the clock was corrected, so that request is worth signing again.
    /// </summary>
    public bool TryCorrect(string? errorCode, string? message, DateTimeOffset? serverDate, DateTimeOffset signedAt)
    {
        if (ClockSkew.Offset(errorCode, message, serverDate, signedAt, _timeProvider.GetUtcNow()) is not { } offset)
        {
            return false;
        }

        Volatile.Write(ref _offsetTicks, offset.Ticks);
        return true;
    }
}
