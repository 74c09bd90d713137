namespace Replicator.Core.Copy;

/// <summary>Limits of one layer copy. How often it retries is <see cref="Resilience.RetrySettings"/>'s business.</summary>
public sealed record BlobCopyOptions
{
    /// <summary>A read that returns nothing for this long counts as a stalled connection and is resumed.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Parts prepared ahead of each destination's upload. While part N is on the wire (a cross-region round trip),
    /// part N+1 is downloaded, hashed, base64-encoded and hashed for SigV4; parts still go in order within one
    /// upload (ECR refuses others). A destination that is this many parts behind holds the download back, so one
    /// blob holds at most this + 2 parts. 1 is the default: deeper queues measured no faster (docs/performance.md),
    /// since an upload sends one part at a time and each extra part costs ~13.3 MiB per blob.
    /// </summary>
    public int PartsInFlight { get; init; } = 1;

    /// <summary>Accept http download URLs: only when an endpoint override points at a local ECR.</summary>
    public bool AllowInsecureDownloads { get; init; }
}
