using Replicator.Core.Copy;
using Replicator.Core.Resilience;

namespace Replicator.Core.Replication;

/// <summary>Settings of the copy engine. The defaults suit a Lambda function with 1,769 MB (one vCPU).</summary>
public sealed record ReplicatorOptions
{
    /// <summary>
    /// Upload streams at once (a layer going to one destination), across every destination and request of this
    /// engine; a blob downloaded once for three destinations takes three. Memory is bounded by this times one
    /// request body (about 13.3 MiB with 10 MiB parts) plus the shared parts of each blob in flight
    /// (<see cref="BlobCopyOptions.PartsInFlight"/> + 2 parts). go-containerregistry defaults to 4 jobs, skopeo to 6.
    /// </summary>
    public int MaxParallelLayers { get; init; } = 4;

    /// <summary>KMS key (id or ARN) per destination region, for sources encrypted with KMS.</summary>
    public IReadOnlyDictionary<string, string> KmsKeyIds { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>PutImage calls started per second and destination region (ECR's default quota is 10).</summary>
    public double PutImageRatePerSecond { get; init; } = 10;

    /// <summary>REPOSITORY_MAPPING: the destination name of each source repository (the same in every destination).</summary>
    public RepositoryMapping RepositoryMapping { get; init; } = RepositoryMapping.Identity;

    public RetrySettings Retry { get; init; } = new();

    public BlobCopyOptions BlobCopy { get; init; } = new();
}
