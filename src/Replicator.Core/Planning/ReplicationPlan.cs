namespace Replicator.Core.Planning;

/// <summary>
/// The writes that bring one destination up to date, by phase: create the repository, copy the blobs (in any
/// order, concurrently), then put the manifests strictly in order (children, index, referrers, root tag).
/// </summary>
public sealed record ReplicationPlan
{
    public required string RootDigest { get; init; }

    public CreateRepositoryStep? CreateRepository { get; init; }

    public IReadOnlyList<CopyBlobStep> Blobs { get; init; } = [];

    /// <summary><see cref="PutManifestStep"/>s and at most one final <see cref="PutTagStep"/>, in the order to run them.</summary>
    public IReadOnlyList<PlanStep> Manifests { get; init; } = [];

    /// <summary>Sum of the known sizes of <see cref="Blobs"/>.</summary>
    public long BytesToCopy { get; init; }

    /// <summary>True when a blob's size is unknown (schema 1), so <see cref="BytesToCopy"/> is a lower bound.</summary>
    public bool HasUnknownBlobSizes { get; init; }

    /// <summary>Distinct blobs needed but already in the destination.</summary>
    public int BlobsSkipped { get; init; }

    /// <summary>Manifests of the image already in the destination.</summary>
    public int ManifestsSkipped { get; init; }

    /// <summary>Foreign and non-distributable layers left out (the registry does not hold them).</summary>
    public int NonDistributableSkipped { get; init; }

    public bool IsEmpty => CreateRepository is null && Blobs.Count == 0 && Manifests.Count == 0;

    /// <summary>Every step, phase by phase.</summary>
    public IEnumerable<PlanStep> Steps
    {
        get
        {
            if (CreateRepository is not null)
            {
                yield return CreateRepository;
            }

            foreach (var blob in Blobs)
            {
                yield return blob;
            }

            foreach (var manifest in Manifests)
            {
                yield return manifest;
            }
        }
    }
}
