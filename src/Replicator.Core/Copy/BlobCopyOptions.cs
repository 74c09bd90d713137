namespace Replicator.Core.Copy;

/// <summary>Limits of one layer copy. How often it retries is <see cref="Resilience.RetrySettings"/>'s business.</summary>
public sealed record BlobCopyOptions
{
    /// <summary>A read that returns nothing for this long counts as a stalled connection and is resumed.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Parts read ahead of each destination's upload. While part N is on the wire (a cross-region round trip),
    /// the next ones are downloaded and hashed; parts still go in order within one upload (ECR refuses others).
    /// A destination that is this many parts behind holds the download back, so memory stays bounded.
    /// 2 measured best (docs/performance.md): 1 leaves the wire idle while a part is read, more only adds memory.
    /// </summary>
    public int PartsInFlight { get; init; } = 2;

    /// <summary>Accept http download URLs: only when an endpoint override points at a local ECR.</summary>
    public bool AllowInsecureDownloads { get; init; }
}
