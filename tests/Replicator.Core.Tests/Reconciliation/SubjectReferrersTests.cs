using Replicator.Core.Ecr.Model;
using Replicator.Core.Manifests;
using Replicator.Core.Reconciliation;

namespace Replicator.Core.Tests.Reconciliation;

/// <summary>
/// The referrers of each subject as one repository's DescribeImages listing tells them, through ImageDetail's
/// <c>subjectManifestDigest</c> and <c>artifactMediaType</c> (ECR API reference, ImageDetail:
/// https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_ImageDetail.html).
/// </summary>
public sealed class SubjectReferrersTests
{
    private const string Subject = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Signature = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string Other = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    private const string Cosign = "application/vnd.dev.cosign.artifact.sig.v1+json";

    private static ImageDetail Image(string digest, string? status = ImageStatus.Active, string? artifactMediaType = MediaTypes.OciConfig, string? subject = null) =>
        new() { ImageDigest = digest, ImageStatus = status, ArtifactMediaType = artifactMediaType, SubjectManifestDigest = subject };

    [Fact]
    public void An_active_untagged_subject_with_a_referrer_is_walked_on_its_own()
    {
        var referrers = new SubjectReferrers();
        referrers.Add(Image(Subject));
        referrers.Add(Image(Signature, artifactMediaType: Cosign, subject: Subject));

        Assert.Equal([Subject], referrers.UntaggedSubjects(new Dictionary<string, IReadOnlyList<string>>()));
        Assert.Equal([Signature], referrers.Of(Subject));
    }

    /// <summary>
    /// A referrer counts as its subject's while it can be pulled: ACTIVE, or with no imageStatus at all (a listing from
    /// before ECR's archive tier, which had only active images), as ListImageReferrers is asked for ACTIVE ones. An
    /// archived signature is left out, or every pass would report it missing from the destinations and its copy fail.
    /// </summary>
    [Theory]
    [InlineData(ImageStatus.Active, true)]
    [InlineData(null, true)]
    [InlineData(ImageStatus.Archived, false)]
    public void A_referrer_is_its_subjects_while_it_is_active_or_has_no_status(string? status, bool counted)
    {
        var referrers = new SubjectReferrers();
        referrers.Add(Image(Subject, status: null));
        referrers.Add(Image(Signature, status, Cosign, Subject));

        Assert.Equal(counted ? [Signature] : [], referrers.Of(Subject));
        Assert.Equal(counted ? [Subject] : [], referrers.UntaggedSubjects(new Dictionary<string, IReadOnlyList<string>>()));
    }

    /// <summary>
    /// The walk starts only from active subjects: an archived image cannot be pulled until it is restored (ECR's
    /// ImageDetail.imageStatus), and a subject the listing does not hold at all was deleted while its signature stayed.
    /// Neither is an image the reconciler should treat as an untagged subject of its own.
    /// </summary>
    [Theory]
    [InlineData(ImageStatus.Archived)]
    [InlineData(null)]
    public void A_subject_that_is_archived_or_gone_is_not_an_untagged_subject_to_walk(string? subjectStatus)
    {
        var referrers = new SubjectReferrers();
        if (subjectStatus is not null)
        {
            referrers.Add(Image(Subject, subjectStatus));
        }

        referrers.Add(Image(Signature, artifactMediaType: Cosign, subject: Subject));

        Assert.True(referrers.HasActiveReferrers);
        Assert.Empty(referrers.UntaggedSubjects(new Dictionary<string, IReadOnlyList<string>>()));
    }

    /// <summary>
    /// ECR reports a container image's config media type, Docker's or OCI's, as its artifactMediaType: a repository of
    /// plain images gives no reason to doubt the listing, while one holding a signature that names no subject does.
    /// </summary>
    [Theory]
    [InlineData(MediaTypes.DockerConfig, true)]
    [InlineData(MediaTypes.OciConfig, true)]
    [InlineData(null, true)]
    [InlineData(Cosign, false)]
    public void Only_an_artifact_without_a_subject_makes_the_listing_untrusted(string? artifactMediaType, bool trusted)
    {
        var referrers = new SubjectReferrers();
        referrers.Add(Image(Subject));
        referrers.Add(Image(Other, artifactMediaType: artifactMediaType));

        Assert.Equal(trusted, referrers.Trusted);
    }

    [Fact]
    public void An_artifact_without_a_subject_beside_one_that_names_its_subject_leaves_the_listing_trusted()
    {
        var referrers = new SubjectReferrers();
        referrers.Add(Image(Subject));
        referrers.Add(Image(Other, artifactMediaType: "application/vnd.cncf.helm.config.v1+json"));
        referrers.Add(Image(Signature, artifactMediaType: Cosign, subject: Subject));

        Assert.True(referrers.Trusted);
    }
}
