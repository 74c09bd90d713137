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
    /// How long a shared download waits for one destination's queue to take the next part while another destination
    /// of the blob takes it. A destination that stays this far behind (an UploadLayerPart that hangs, each of its
    /// attempts up to the ECR client's 100 s timeout, and retried) leaves the shared download
    /// (<see cref="Errors.ReplicationErrorCodes.DestinationFellBehind"/>): the others go on and publish without it, and
    /// it copies the layer again on its own, with its own download, once its call has ended (a layer restart, within
    /// <see cref="Resilience.RetrySettings.MaxLayerRestarts"/>). So a region that stops answering in the middle of an
    /// upload holds the healthy ones back at most this long, and the pool's parts it holds are one per blob (the one on
    /// its wire). A healthy part takes well under a second (13.3 MiB on the wire); 30 s is a part that is not moving,
    /// the same bound as <see cref="ReadTimeout"/> for a download. Measured on the engine's clock.
    /// <see cref="Timeout.InfiniteTimeSpan"/> always waits for the slowest destination.
    /// </summary>
    public TimeSpan FallBehindTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Accept http download URLs: only when an endpoint override points at a local ECR.</summary>
    public bool AllowInsecureDownloads { get; init; }
}
