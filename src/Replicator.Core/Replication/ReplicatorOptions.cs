using System.Text.RegularExpressions;
using Replicator.Core.Copy;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>Settings of the copy engine. The defaults suit a Lambda function with 1,769 MB (one vCPU).</summary>
public sealed record ReplicatorOptions
{
    /// <summary>
    /// Blobs copied at once, across every request of this engine; each is downloaded once and sent to every
    /// destination that lacks it. Memory is bounded by this times (<see cref="BlobCopyOptions.PartsInFlight"/> + 1)
    /// encoded parts of about 13.3 MiB (10 MiB parts), shared by the destinations: 8 parts, about 107 MiB, with the
    /// defaults. go-containerregistry defaults to 4 jobs, skopeo to 6.
    /// </summary>
    public int MaxParallelLayers { get; init; } = 4;

    /// <summary>
    /// The part buffers one blob in flight adds to the engine's pool: (<see cref="BlobCopyOptions.PartsInFlight"/> + 1)
    /// encoded parts of ECR's documented 10 MiB (about 26.7 MiB with the defaults). The pool holds
    /// <see cref="MaxParallelLayers"/> times this at most, which is what a memory budget has to fit. A layer above
    /// 41 GiB needs parts above 10 MiB (ECR takes 4,200 parts at most), so larger buffers while it is copied.
    /// </summary>
    public long PartBufferBytesPerBlob => (BlobCopy.PartsInFlight + 1L) * SharedPart.EncodedSize((int)UploadPartSize.DefaultPartSize);

    /// <summary>
    /// KMS key (id or ARN) for new destination repositories of sources encrypted with KMS, keyed by destination as
    /// <see cref="ReplicationDestination.ToString"/> writes it: <c>ACCOUNT:REGION</c> for that destination only, or
    /// <c>REGION</c> for every destination in that region that has no key of its own. A key is regional and belongs
    /// to one account, so destinations of two accounts in one region each need theirs.
    /// </summary>
    public IReadOnlyDictionary<string, string> KmsKeyIds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The most PutImage calls (retries included) started per second and destination registry and region, by this
    /// engine (ECR's default quota is 10 per account and region). Below it the rate adapts: a throttling answer cuts it,
    /// other answers raise it back (<see cref="AdaptiveRate"/>), so engines in several processes settle near the quota
    /// they share.
    /// </summary>
    public double PutImageRatePerSecond { get; init; } = 10;

    /// <summary>REPOSITORY_MAPPING: the destination name of each source repository (the same in every destination).</summary>
    public RepositoryMapping RepositoryMapping { get; init; } = RepositoryMapping.Identity;

    /// <summary>
    /// TAG_FILTER: the tags this engine replicates (every tag when null). A replicated delete of an index removes, after
    /// it, only these tags from the platform manifests it listed, as the reconciler deletes only these: a tag outside
    /// the filter was never the replicator's.
    /// </summary>
    public Regex? TagFilter { get; init; }

    /// <summary>
    /// How long a copy waits for the signatures ECR's managed signing is still making of the source image, so they
    /// travel with it (<see cref="SourceSignatureWait"/>). Zero, the default, asks nothing: the one
    /// DescribeImageSigningStatus call per image, and its IAM permission, are for registries that sign.
    /// </summary>
    public TimeSpan SignatureWait { get; init; } = TimeSpan.Zero;

    public RetrySettings Retry { get; init; } = new();

    public BlobCopyOptions BlobCopy { get; init; } = new();
}
