using Replicator.Core.Manifests;

namespace Replicator.Core.Planning;

/// <summary>
/// Everything fetched from the source for one image: the root manifest, every manifest below it (children of
/// indexes, nested indexes) keyed by digest, and referrers (manifests whose <c>subject</c> is the root, a
/// descendant or another referrer; an index referrer's children are descendants too). Manifests are identified by
/// <see cref="Manifest.ReferenceDigest"/>. <see cref="ApplyTag"/> is the caller's late-event decision
/// (<see cref="TagDecision.ShouldMoveTag"/>); the digest itself is always copied. <see cref="BlobSizes"/> holds the sizes
/// the source reported for blobs no descriptor sizes (Docker schema 1), so a plan made from this image is complete.
/// </summary>
public sealed record SourceImage(
    Manifest Root,
    IReadOnlyDictionary<string, Manifest> Descendants,
    IReadOnlyList<Manifest> Referrers,
    string? Tag,
    bool ApplyTag)
{
    private static readonly IReadOnlyDictionary<string, long> NoSizes = new Dictionary<string, long>(StringComparer.Ordinal);

    private static readonly IReadOnlySet<string> NoLayers = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Referrers found beyond the loader's bounds (<see cref="Replication.SourceReferrerWalk.MaxReferrers"/>, and
    /// <see cref="ManifestWalker.MaxReferrerChain"/> links down a chain of referrers) and not brought along. Each is
    /// still pushed to the source with a push event of its own, which replicates it (its subject being there by then),
    /// and the reconciler heals any whose event was lost; holding back the subject for them would leave the image
    /// itself unreplicated.
    /// </summary>
    public int ReferrersLeftBehind { get; init; }

    /// <summary>
    /// The manifests of the image (itself, a manifest below it, a referrer) whose referrers the source would not list
    /// with an error a retry would meet again; null when every listing answered. A pull-through cache repository
    /// answers <c>UnableToListUpstreamImageReferrersException</c> while its upstream cannot list them. Like
    /// <see cref="ReferrersLeftBehind"/>, those referrers are not brought along and the image is copied all the same:
    /// failing it for them would send every push of the image to the dead-letter queue uncopied, and the reconciler
    /// would enqueue it again on every pass.
    /// </summary>
    public UnlistedReferrers? ReferrersUnlisted { get; init; }

    /// <summary>
    /// Why a signature ECR's managed signing was still making, or might be making, is not among
    /// <see cref="Referrers"/> (<see cref="Replication.SourceSignatureWait"/>); null when there is none to wait for.
    /// Like <see cref="ReferrersLeftBehind"/>, it is left to its own push event and the reconciler.
    /// </summary>
    public string? SigningNote { get; init; }

    /// <summary>Blob sizes by digest, as the source reports them, for the blobs whose descriptors carry none.</summary>
    public IReadOnlyDictionary<string, long> BlobSizes { get; init; } = NoSizes;

    /// <summary>
    /// The foreign (non-distributable) layers of the image that the source repository holds: pushed with Docker's
    /// <c>allow-nondistributable-artifacts</c>, as air-gapped sites do so their nodes never fetch a Windows base layer
    /// from the manifest's <c>urls</c>. Copied like any layer (<see cref="BlobsOf"/>), so each destination serves them
    /// as the source does; the foreign layers the source does not hold are left to their URLs.
    /// </summary>
    public IReadOnlySet<string> HeldForeignLayers { get; init; } = NoLayers;

    /// <summary>
    /// The blobs a destination must hold for <paramref name="manifest"/>: its <see cref="Manifest.Blobs"/>, then its
    /// foreign layers in <see cref="HeldForeignLayers"/>.
    /// </summary>
    public IEnumerable<Descriptor> BlobsOf(Manifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return HeldForeignLayers.Count == 0
            ? manifest.Blobs
            : manifest.Blobs.Concat(manifest.Layers.Where(l => l.IsNonDistributable && HeldForeignLayers.Contains(l.Digest)));
    }

    public static SourceImage Create(Manifest root, IEnumerable<Manifest>? descendants = null, IEnumerable<Manifest>? referrers = null, string? tag = null, bool applyTag = true)
    {
        ArgumentNullException.ThrowIfNull(root);
        var byDigest = new Dictionary<string, Manifest>(StringComparer.Ordinal);
        foreach (var manifest in descendants ?? [])
        {
            byDigest[manifest.ReferenceDigest] = manifest;
        }

        return new SourceImage(root, byDigest, [.. referrers ?? []], tag, applyTag && tag is not null);
    }

    /// <summary>Every manifest of the image: the root, its descendants, its referrers.</summary>
    public IEnumerable<Manifest> Manifests => new[] { Root }.Concat(Descendants.Values).Concat(Referrers);

    /// <summary>Every manifest digest of the image (root, descendants, referrers): what to look up in the destination.</summary>
    public IReadOnlyList<string> ManifestDigests =>
        [.. new[] { Root.ReferenceDigest }.Concat(Descendants.Keys).Concat(Referrers.Select(r => r.ReferenceDigest)).Distinct(StringComparer.Ordinal)];
}
