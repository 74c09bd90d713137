namespace Replicator.Samples;

/// <summary>
/// A generated image in push order: every blob (each digest once), then the manifests with children before their
/// index; the last manifest is the root.
/// </summary>
public sealed record SampleImage(IReadOnlyList<SampleBlob> Blobs, IReadOnlyList<SampleManifest> Manifests)
{
    public SampleManifest Root => Manifests[^1];

    public string Digest => Root.Digest;

    public long TotalBlobBytes => Blobs.Sum(b => b.Size);
}
