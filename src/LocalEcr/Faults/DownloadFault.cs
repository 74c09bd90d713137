namespace LocalEcr.Faults;

/// <summary>A fault applied to the next <see cref="Remaining"/> blob downloads (optionally of one digest).</summary>
internal sealed class DownloadFault
{
    public required DownloadFaultKind Kind { get; init; }

    public string? Digest { get; init; }

    public long AfterBytes { get; init; }

    public TimeSpan Stall { get; init; }

    /// <summary>A cut that also expires every download URL issued so far, so the client's resume needs a new URL.</summary>
    public bool ExpireUrls { get; init; }

    /// <summary>A cut that resets the connection (RST) instead of ending it: the client loses what it had not read yet.</summary>
    public bool Reset { get; init; }

    public int Remaining { get; set; } = 1;
}
