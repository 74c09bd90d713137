namespace LocalEcr.Faults;

/// <summary>Delay the responses of an operation (the next <see cref="Remaining"/>, or all when null).</summary>
internal sealed class DelayRule
{
    public required string Operation { get; init; }

    public string? Region { get; init; }

    public required TimeSpan Delay { get; init; }

    public int? Remaining { get; set; }
}
