namespace Replicator.Core.Manifests;

/// <summary>
/// A parsed manifest. <see cref="Raw"/> is the exact string received, to be forwarded unchanged: re-serialising
/// would change the digest. <see cref="Digest"/> is sha256 over its exact UTF-8 bytes.
/// </summary>
public sealed class Manifest
{
    internal Manifest(ManifestKind kind, string mediaType, string digest, string raw, string? referenceDigest = null)
    {
        Kind = kind;
        MediaType = mediaType;
        Digest = digest;
        Raw = raw;
        ReferenceDigest = referenceDigest ?? digest;
    }

    public ManifestKind Kind { get; }

    public string MediaType { get; }

    public string Digest { get; }

    public string Raw { get; }

    /// <summary>The UTF-8 length of <see cref="Raw"/>: the size of a descriptor pointing at this manifest.</summary>
    public long Size { get; internal init; }

    /// <summary>Null for indexes and schema 1.</summary>
    public Descriptor? Config { get; internal init; }

    /// <summary>Image layers in manifest order (schema 1: <c>fsLayers</c> in their order, duplicates kept).</summary>
    public IReadOnlyList<Descriptor> Layers { get; internal init; } = [];

    /// <summary>Child manifests of an index, in index order; empty for images.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; internal init; } = [];

    public Descriptor? Subject { get; internal init; }

    public string? ArtifactType { get; internal init; }

    public IReadOnlyDictionary<string, string> Annotations { get; internal init; } = Descriptor.EmptyAnnotations;

    /// <summary>
    /// For a signed schema 1 manifest, the digest of its JWS payload (the manifest without <c>signatures</c>),
    /// which Docker Distribution addresses it by; null otherwise. Accepted as an expected digest, never assumed to be
    /// the manifest's identity (<see cref="ReferenceDigest"/>).
    /// </summary>
    public string? Schema1PayloadDigest { get; internal init; }

    /// <summary>
    /// The digest this manifest is identified by: the one the source reported and it was fetched by (the parser's
    /// expected digest), else <see cref="Digest"/>. The planner, the destination lookups and PutImage all use it.
    /// </summary>
    /// <remarks>
    /// It differs from <see cref="Digest"/> only for a signed schema 1 manifest that a registry addresses by its JWS
    /// payload (<see cref="Schema1PayloadDigest"/>), as Docker Distribution does. Which of the two Amazon ECR reports
    /// is not settled by its documentation: https://github.com/aws/amazon-ecs-agent/pull/4249 shows ECR reporting a
    /// schema 1 digest that Docker's payload check rejects, so not the payload digest. Using the reported digest is
    /// right either way, since a destination ECR computes the same digest from the same bytes.
    /// </remarks>
    public string ReferenceDigest { get; }

    /// <summary>
    /// The blobs a registry must hold before it accepts this manifest: the config and the distributable layers,
    /// each digest once, in manifest order. Foreign and non-distributable layers are left out.
    /// </summary>
    public IReadOnlyList<Descriptor> Blobs
    {
        get
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var blobs = new List<Descriptor>(Layers.Count + 1);
            if (Config is not null && seen.Add(Config.Digest))
            {
                blobs.Add(Config);
            }

            foreach (var layer in Layers)
            {
                if (!layer.IsNonDistributable && seen.Add(layer.Digest))
                {
                    blobs.Add(layer);
                }
            }

            return blobs;
        }
    }

    public override string ToString() => $"{MediaType} {Digest}";
}
