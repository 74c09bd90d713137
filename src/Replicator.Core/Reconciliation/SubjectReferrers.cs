using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;

namespace Replicator.Core.Reconciliation;

/// <summary>
/// The referrers of each subject in one source repository, read from the repository's own DescribeImages listing
/// rather than one ListImageReferrers call per subject. ECR's <c>ImageDetail</c> carries
/// <c>subjectManifestDigest</c>, "the digest of the subject manifest for images that are referrers", and
/// <c>artifactMediaType</c>, "the artifact media type of the image" (ECR API reference, ImageDetail:
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html; botocore
/// <c>ecr/2015-09-21/service-2.json</c>).
/// </summary>
/// <remarks>
/// That ECR fills <c>subjectManifestDigest</c> for every referrer is an assumption (docs/fidelity.md). A listing that
/// gives a reason to doubt it makes <see cref="Trusted"/> false, and the scanner then asks ListImageReferrers, as
/// before: the repository holds an OCI artifact (an <c>artifactMediaType</c> that is not a container image's config:
/// a signature, an SBOM, an attestation, whose manifests carry <c>artifactType</c> or a config of their own type) while
/// no image in it carries a <c>subjectManifestDigest</c>. Where some image carries one, ECR fills the field in that
/// repository, and the map is taken as complete. A repository of artifacts that refer to nothing (Helm charts) pays the
/// per-subject calls as before.
/// </remarks>
public sealed class SubjectReferrers
{
    private readonly Dictionary<string, List<string>> _bySubject = new(StringComparer.Ordinal);
    private readonly HashSet<string> _referrers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _active = new(StringComparer.Ordinal);
    private bool _artifactWithoutSubject;

    /// <summary>False when the listing gives a reason to doubt that every referrer named its subject (see remarks).</summary>
    public bool Trusted => _referrers.Count > 0 || !_artifactWithoutSubject;

    /// <summary>Adds one image of the repository's listing (every image: tagged, untagged, archived).</summary>
    public void Add(ImageDetail detail)
    {
        ArgumentNullException.ThrowIfNull(detail);
        if (detail.ImageDigest is not { } digest)
        {
            return;
        }

        if (detail.ImageStatus is null || detail.ImageStatus == ImageStatus.Active)
        {
            _active.Add(digest);
        }

        if (detail.SubjectManifestDigest is not { } subject)
        {
            _artifactWithoutSubject |= IsArtifact(detail.ArtifactMediaType);
            return;
        }

        _referrers.Add(digest);

        // ACTIVE only, as ListImageReferrers is asked (filter.artifactStatus ACTIVE): an archived referrer cannot be pulled.
        if (detail.ImageStatus is null || detail.ImageStatus == ImageStatus.Active)
        {
            if (!_bySubject.TryGetValue(subject, out var list))
            {
                _bySubject[subject] = list = [];
            }

            list.Add(digest);
        }
    }

    /// <summary>The active direct referrers of <paramref name="subject"/>, in the listing's order.</summary>
    public IReadOnlyList<string> Of(string subject) => _bySubject.TryGetValue(subject, out var list) ? list : [];

    /// <summary>Whether any active image of the listing names a subject.</summary>
    public bool HasActiveReferrers => _bySubject.Count > 0;

    /// <summary>
    /// The active subjects with referrers that are neither in <paramref name="walked"/> nor referrers themselves, in
    /// ordinal order: untagged images (an image whose tag moved on, an index's child) that the walk from the tagged
    /// digests may not reach. Their referrers still belong wherever the subject is held, as a push of the referrer
    /// would copy them, so the reconciler walks these subjects too.
    /// </summary>
    public IReadOnlyList<string> UntaggedSubjects(IReadOnlyDictionary<string, IReadOnlyList<string>> walked)
    {
        ArgumentNullException.ThrowIfNull(walked);
        return [.. _bySubject.Keys.Where(s => !walked.ContainsKey(s) && !_referrers.Contains(s) && _active.Contains(s)).Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// An OCI artifact rather than a container image: ECR reports a container image's config media type (Docker's or
    /// OCI's) as its artifactMediaType, an index none.
    /// </summary>
    private static bool IsArtifact(string? artifactMediaType) =>
        artifactMediaType is not null and not MediaTypes.DockerConfig and not MediaTypes.OciConfig;
}
