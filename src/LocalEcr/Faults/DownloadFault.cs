namespace LocalEcr.Faults;

/// <summary>A fault applied to the next <see cref="Remaining"/> blob downloads (optionally of one digest).</summary>
internal sealed class DownloadFault
{
    public required DownloadFaultKind Kind { get; init; }

    public string? Digest { get; init; }

    public long AfterBytes { get; init; }

    public TimeSpan Stall { get; init; }

    public int Remaining { get; set; } = 1;
}
