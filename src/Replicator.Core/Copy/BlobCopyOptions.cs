namespace Replicator.Core.Copy;

/// <summary>Limits of one layer copy. How often it retries is <see cref="Resilience.RetrySettings"/>'s business.</summary>
public sealed record BlobCopyOptions
{
    /// <summary>
    /// A GET whose response headers, or a read that returns nothing, take this long counts as a stalled connection
    /// and is resumed (within <see cref="Resilience.RetrySettings.MaxDownloadResumes"/>).
    /// </summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Parts prepared ahead of each destination's upload. While part N is on the wire (a cross-region round trip),
    /// part N+1 is downloaded, hashed, base64-encoded and hashed for SigV4; parts still go in order within one
    /// upload (ECR refuses others). A destination that is this many parts behind holds the download back, so one
    /// blob holds at most this + 3 parts (<see cref="BlobCopier"/>). 1 is the default: deeper queues measured no
    /// faster (docs/performance.md), since an upload sends one part at a time and each extra part costs ~13.3 MiB
    /// per blob.
    /// </summary>
    public int PartsInFlight { get; init; } = 1;

    /// <summary>
    /// How long the blobs wait for the slower destinations once one is ready, at both points where the destinations
    /// of a blob meet: after the first destination of a request has registered its blobs (the others are still
    /// reading their state, or creating their repository), and after a blob's first upload session opens (the others'
    /// InitiateLayerUpload still running). Past it, the destinations that are ready share one download, and each late
    /// one copies the blob on its own, with its own download, once it is ready. So a throttled or hung destination
    /// region (each of its attempts may take the ECR client's 100 s timeout, and it retries) does not hold back the
    /// healthy ones (nor, once its session is open, for longer than <see cref="FallBehindTimeout"/>), and a blob is
    /// downloaded more than once only then. A healthy destination's reads are a few
    /// cross-region round trips (DescribeImages, BatchCheckLayerAvailability, at worst BatchGetImage, the source's
    /// settings and CreateRepository: a few hundred milliseconds each between the most distant regions) and fit in
    /// 5 s with room for one retry after the 1 s throttling backoff (<see cref="Resilience.RetrySettings"/>). Measured on the engine's clock.
    /// <see cref="Timeout.InfiniteTimeSpan"/> always waits for every destination.
    /// </summary>
    public TimeSpan FanOutGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one destination's upload may stand still while another destination of the same blob goes on: its
    /// queue full while the download has the next part (the other took its copy, or waits for it with an empty queue),
    /// or its queue not moving while the download waits for a part of the engine's pool (which its parts may fill),
    /// or its last parts still unsent once another destination has sent all of its own. A destination that lost its
    /// upload session and waits for the download to end to start the layer over counts as one that goes on, so its
    /// restart is held this long at most. Past it the destination falls
    /// behind (<see cref="Errors.ReplicationErrorCodes.DestinationFellBehind"/>): its call on the wire is cancelled, its
    /// parts go back to the pool, and it fails transiently, while the others go on and publish. Redelivered, it copies
    /// alone, the others holding the image by then. So a region that stops answering in the middle of an upload (each
    /// attempt may take the ECR client's 100 s timeout, and it retries) holds the healthy ones back at most this long,
    /// and holds no part of the pool after it. A healthy part takes well under a second (13.3 MiB on the wire); 30 s
    /// is a part that is not moving, the same bound as <see cref="ReadTimeout"/> for a download. Where no other
    /// destination keeps up (all slow alike), nobody is held back, and nobody falls behind. Measured on the engine's
    /// clock. <see cref="Timeout.InfiniteTimeSpan"/> always waits for the slowest destination.
    /// </summary>
    public TimeSpan FallBehindTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Accept http download URLs: only when an endpoint override points at a local ECR.</summary>
    public bool AllowInsecureDownloads { get; init; }
}
