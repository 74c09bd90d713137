namespace Replicator.Samples;

/// <summary>A manifest to push as is: <see cref="Manifest"/> is the exact string whose sha256 is <see cref="Digest"/>.</summary>
public sealed record SampleManifest(string Digest, string MediaType, string Manifest)
{
    public long Size => System.Text.Encoding.UTF8.GetByteCount(Manifest);
}
