using Replicator.Core.Manifests;

namespace Replicator.Core.Planning;

/// <summary>
/// Orders the manifests of a source image for pushing: depth-first, every child before its index, each manifest
/// followed by its referrers; manifests the destination holds are skipped with their children (ECR refused their
/// index otherwise) and so are their children, but the walk still goes through them to reach referrers, since a
/// signature can arrive after its image.
/// </summary>
internal sealed class ManifestWalker
{
    /// <summary>Deeper nesting than any real image; bounds the recursion on hostile input.</summary>
    public const int MaxNesting = 8;

    /// <summary>
    /// Referrers of referrers, from the image down (a signature of an SBOM of the image is 2). Real chains are a few
    /// long; the bound keeps the recursion within <see cref="MaxNesting"/> levels per link. The loader stops there
    /// (<see cref="Replication.SourceReferrerWalk"/>), and a referrer reached further down all the same (by a longer path
    /// than the loader's) is left out of the plan, like those the loader leaves behind: its own push event copies it.
    /// Neither fails the image, which a referrer's depth says nothing about.
    /// </summary>
    public const int MaxReferrerChain = 8;

    private readonly SourceImage _source;
    private readonly Func<string, bool> _isPresent;
    private readonly Dictionary<string, List<Manifest>> _referrersBySubject = new(StringComparer.Ordinal);
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Manifest> _referrers = new(StringComparer.Ordinal);
    private readonly List<Manifest> _deferred = [];
    private readonly List<Manifest> _toPush = [];

    private ManifestWalker(SourceImage source, Func<string, bool> isPresent)
    {
        _source = source;
        _isPresent = isPresent;
        foreach (var referrer in source.Referrers)
        {
            var subject = referrer.Subject?.Digest
                ?? throw new ArgumentException($"referrer {referrer.ReferenceDigest} has no subject", nameof(source));
            if (!_referrersBySubject.TryGetValue(subject, out var list))
            {
                _referrersBySubject[subject] = list = [];
            }

            list.Add(referrer);
            _referrers[referrer.ReferenceDigest] = referrer;
        }
    }

    public IReadOnlyList<Manifest> ToPush => _toPush;

    public int Skipped { get; private set; }

    public static ManifestWalker Walk(SourceImage source, Func<string, bool> isPresent)
    {
        ArgumentNullException.ThrowIfNull(source);
        foreach (var (digest, manifest) in source.Descendants)
        {
            if (!string.Equals(digest, manifest.ReferenceDigest, StringComparison.Ordinal))
            {
                throw new ArgumentException($"descendant keyed {digest} has digest {manifest.ReferenceDigest}", nameof(source));
            }
        }

        var walker = new ManifestWalker(source, isPresent);
        walker.Visit(source.Root, 0, 0, parentPresent: false);

        // Referrers that list a manifest whose walk was still open when they were reached (an index referrer of a
        // platform manifest that lists the index holding it): every such manifest is placed now.
        for (var i = 0; i < walker._deferred.Count; i++)
        {
            walker.Visit(walker._deferred[i], 0, 1, parentPresent: false);
        }

        // A referrer whose subject is part of the image but that the walk did not reach was left out past
        // MaxReferrerChain; one whose subject is not part of it is a caller's error.
        var orphan = source.Referrers.FirstOrDefault(r =>
            !walker._visited.Contains(r.ReferenceDigest)
            && !string.Equals(r.Subject!.Digest, source.Root.ReferenceDigest, StringComparison.Ordinal)
            && !source.Descendants.ContainsKey(r.Subject.Digest)
            && !walker._referrers.ContainsKey(r.Subject.Digest));
        return orphan is null
            ? walker
            : throw new ArgumentException($"referrer {orphan.ReferenceDigest} names subject {orphan.Subject!.Digest}, which is not part of the image", nameof(source));
    }

    /// <param name="depth">Index nesting below the image or the referrer this walk started from.</param>
    /// <param name="chain">Referrer links from the image (<see cref="MaxReferrerChain"/>).</param>
    private void Visit(Manifest manifest, int depth, int chain, bool parentPresent)
    {
        if (!_visited.Add(manifest.ReferenceDigest))
        {
            return;
        }

        if (depth > MaxNesting)
        {
            throw new ManifestException($"manifest {manifest.ReferenceDigest} is nested more than {MaxNesting} levels deep");
        }

        var present = parentPresent || _isPresent(manifest.ReferenceDigest);
        foreach (var child in manifest.Manifests)
        {
            // A child reached before, as the root, a child of another index or a referrer (an index referrer may list
            // its subject, or a signature found earlier; image-index.md forbids neither), is placed already. Referrers
            // that would find one still open are deferred (below), so an open child here means manifests that list
            // each other, which content addressing rules out: refused rather than pushed before its child.
            if (_visited.Contains(child.Digest))
            {
                if (!_done.Contains(child.Digest))
                {
                    throw new ManifestException($"manifest {manifest.ReferenceDigest} lists {child.Digest}, which it is itself reached from: no order pushes every child before its index");
                }

                continue;
            }

            Visit(Lookup(child.Digest), depth + 1, chain, present);
        }

        if (present)
        {
            Skipped++;
        }
        else
        {
            _toPush.Add(manifest);
        }

        _done.Add(manifest.ReferenceDigest);

        if (_referrersBySubject.TryGetValue(manifest.ReferenceDigest, out var referrers))
        {
            foreach (var referrer in referrers)
            {
                if (chain >= MaxReferrerChain)
                {
                    // Left out with whatever refers to it: never placed, so an index that lists it pushes it as its
                    // child instead, before itself.
                    continue;
                }

                if (ListsAnOpenManifest(referrer, 0))
                {
                    _deferred.Add(referrer);
                    continue;
                }

                Visit(referrer, 0, chain + 1, parentPresent: false);
            }
        }
    }

    /// <summary>Whether <paramref name="manifest"/>, or an index it lists, lists a manifest whose walk is still open.</summary>
    private bool ListsAnOpenManifest(Manifest manifest, int depth)
    {
        if (depth > MaxNesting || _visited.Contains(manifest.ReferenceDigest))
        {
            return false;
        }

        foreach (var child in manifest.Manifests)
        {
            if (_visited.Contains(child.Digest)
                ? !_done.Contains(child.Digest)
                : ListsAnOpenManifest(Lookup(child.Digest), depth + 1))
            {
                return true;
            }
        }

        return false;
    }

    private Manifest Lookup(string digest) =>
        _source.Descendants.TryGetValue(digest, out var child) || _referrers.TryGetValue(digest, out child)
            ? child
            : throw new ArgumentException($"child manifest {digest} is missing from the source image's descendants", nameof(digest));
}
