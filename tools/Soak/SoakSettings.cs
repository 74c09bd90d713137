namespace Soak;

/// <summary>The size and fault mix of one soak run; every random choice derives from <see cref="Seed"/>.</summary>
public sealed record SoakSettings
{
    public int Messages { get; init; } = 500;

    public int Repositories { get; init; } = 20;

    public int Seed { get; init; } = 8;

    /// <summary>SQS redrive policy: after this many failed receives a message moves to the dead-letter queue.</summary>
    public int MaxReceiveCount { get; init; } = 5;

    /// <summary>Function instances polling the queue at once (each its own engine, as separate Lambda instances).</summary>
    public int Pollers { get; init; } = 2;

    /// <summary>Chance that an invocation starts with a freshly injected fault.</summary>
    public double FaultRate { get; init; } = 0.6;

    /// <summary>Share of messages whose tag already points at another digest in an immutable destination.</summary>
    public double ImmutableConflictRate { get; init; } = 0.03;

    /// <summary>Share of messages whose source image is deleted before the event is handled.</summary>
    public double DeletedSourceRate { get; init; } = 0.04;

    /// <summary>
    /// Outage mode when positive: the ECR API of <see cref="OutageRegion"/> answers 503 to everything for this long
    /// on a simulated clock, and the queue keeps each failed message invisible as the function's
    /// ChangeMessageVisibility says (else the queue's 5,400 s). Random faults are off: the outage is the test.
    /// </summary>
    public TimeSpan Outage { get; init; }

    public string OutageRegion { get; init; } = "eu-west-1";

    /// <summary>RETRY_BASE_SECONDS / RETRY_MAX_SECONDS of the function in outage mode.</summary>
    public int RetryBaseSeconds { get; init; } = 15;

    public int RetryMaxSeconds { get; init; } = 900;

    /// <summary>Each image has one or two layers of up to this many bytes (small: the soak is about outcomes, not bandwidth).</summary>
    public int MaxLayerBytes { get; init; } = 48 * 1024;
}
