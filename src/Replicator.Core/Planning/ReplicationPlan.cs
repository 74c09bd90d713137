namespace Replicator.Core.Planning;

/// <summary>
/// The writes that bring one destination up to date, complete when made (nothing is looked up while it runs): create
/// the repository, copy the blobs (in any order, concurrently), then put the manifests strictly in order (children,
/// index, referrers, root tag).
/// </summary>
public sealed record ReplicationPlan
{
    public required string RootDigest { get; init; }

    public CreateRepositoryStep? CreateRepository { get; init; }

    public IReadOnlyList<CopyBlobStep> Blobs { get; init; } = [];

    /// <summary>The PutImage calls in the order to run them; the tag, if any, is on the last.</summary>
    public IReadOnlyList<PutImageStep> Manifests { get; init; } = [];

    /// <summary>Sum of the known sizes of <see cref="Blobs"/>.</summary>
    public long BytesToCopy { get; init; }

    /// <summary>True when a blob's size is unknown (a schema 1 layer the source does not hold), so <see cref="BytesToCopy"/> is a lower bound.</summary>
    public bool HasUnknownBlobSizes { get; init; }

    /// <summary>Distinct blobs needed but already in the destination.</summary>
    public int BlobsSkipped { get; init; }

    /// <summary>Manifests of the image already in the destination.</summary>
    public int ManifestsSkipped { get; init; }

    /// <summary>Foreign and non-distributable layers left out (the registry does not hold them).</summary>
    public int NonDistributableSkipped { get; init; }

    /// <summary>
    /// The tag the destination holds at <see cref="RootDigest"/> once the plan has run: the source's tag when the plan
    /// moves it there or it already names the root. Null when the request names no tag, or when the late-event rule
    /// (<see cref="TagDecision"/>) leaves the destination's tag where it is because the source's tag names another
    /// digest now: the digest is copied, but the tag is not its.
    /// </summary>
    public string? Tag { get; init; }

    public bool IsEmpty => CreateRepository is null && Blobs.Count == 0 && Manifests.Count == 0;
}
