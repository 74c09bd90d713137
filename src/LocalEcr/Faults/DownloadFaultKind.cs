namespace LocalEcr.Faults;

internal enum DownloadFaultKind
{
    /// <summary>Send <c>AfterBytes</c> bytes, then abort the connection.</summary>
    Cut,

    /// <summary>Send <c>AfterBytes</c> bytes, then wait <c>Stall</c> before going on.</summary>
    Stall,

    /// <summary>Flip the byte at blob offset <c>AfterBytes</c> as it is served; the blob on disk stays intact.</summary>
    Corrupt,
}
