using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Manifests;
using Replicator.Core.Planning;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// <see cref="ManifestPublisher"/> asked directly with a mocked destination, for ECR answers LocalEcr never gives.
/// </summary>
public sealed class ManifestPublisherTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    /// <summary>
    /// An immutable tag that names the replica, archived in the destination: the tagless push that restores it is made,
    /// and the status read after it decides. An answer without <c>imageStatus</c> (a member that came with the archive,
    /// absent from older answers, as it is absent wherever the product reads images) is an ACTIVE image, so the copy
    /// is up to date; read as still archived, it would fail permanently over an image anyone can pull. An answer that
    /// says ARCHIVED still fails.
    /// </summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData(ImageStatus.Active, true)]
    [InlineData(ImageStatus.Archived, false)]
    public async Task After_the_restoring_push_a_status_left_out_reads_as_active(string? statusAfter, bool upToDate)
    {
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.PutImageAsync(It.Is<PutImageRequest>(r => r.ImageTag == "v1"), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.ImageTagAlreadyExistsException, "tag v1 is immutable"));
        client.Setup(c => c.PutImageAsync(It.Is<PutImageRequest>(r => r.ImageTag == null), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new PutImageResponse());
        client.Setup(c => c.DescribeImagesAsync(It.Is<DescribeImagesRequest>(r => r.ImageIds![0].ImageTag == "v1"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeImagesResponse { ImageDetails = [new ImageDetail { ImageDigest = Digest, ImageTags = ["v1"], ImageStatus = ImageStatus.Archived }] });
        client.Setup(c => c.DescribeImagesAsync(It.Is<DescribeImagesRequest>(r => r.ImageIds![0].ImageDigest == Digest), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeImagesResponse { ImageDetails = [new ImageDetail { ImageDigest = Digest, ImageTags = ["v1"], ImageStatus = statusAfter }] });
        var step = new PutImageStep(Digest, MediaTypes.OciManifest, "{}", "v1");

        var put = ManifestPublisher.PutAsync(client.Object, new ReplicationDestination("us-west-2"), "app", step, CancellationToken.None);

        if (upToDate)
        {
            Assert.Null(await put);
        }
        else
        {
            var error = await Assert.ThrowsAsync<ReplicationException>(() => put);
            Assert.Equal(ReplicationErrorCodes.ReplicaArchived, error.ErrorCode);
        }

        client.Verify(c => c.PutImageAsync(It.Is<PutImageRequest>(r => r.ImageTag == null), It.IsAny<CancellationToken>()), Times.Once);
    }

    /// <summary>
    /// An immutable tag refused at PutImage that names another digest by the time it is read (a push in the destination
    /// between the plan's check and the put) is a permanent ImmutableTagConflict naming both digests: a retry is refused
    /// the same way, and reported up to date the replica would silently differ from the source.
    /// </summary>
    [Fact]
    public async Task An_immutable_tag_taken_by_another_digest_after_the_plan_is_a_permanent_conflict_naming_both()
    {
        const string other = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.PutImageAsync(It.Is<PutImageRequest>(r => r.ImageTag == "v1"), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.ImageTagAlreadyExistsException, "tag v1 is immutable"));
        client.Setup(c => c.DescribeImagesAsync(It.Is<DescribeImagesRequest>(r => r.ImageIds![0].ImageTag == "v1"), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeImagesResponse { ImageDetails = [new ImageDetail { ImageDigest = other, ImageTags = ["v1"], ImageStatus = ImageStatus.Active }] });
        var step = new PutImageStep(Digest, MediaTypes.OciManifest, "{}", "v1");

        var error = await Assert.ThrowsAsync<ReplicationException>(() => ManifestPublisher.PutAsync(client.Object, new ReplicationDestination("us-west-2"), "app", step, CancellationToken.None));

        Assert.Equal(ReplicationErrorCodes.ImmutableTagConflict, error.ErrorCode);
        Assert.False(error.IsTransient);
        Assert.Contains(other, error.Message, StringComparison.Ordinal);
        Assert.Contains(Digest, error.Message, StringComparison.Ordinal);
        client.Verify(c => c.PutImageAsync(It.IsAny<PutImageRequest>(), It.IsAny<CancellationToken>()), Times.Once);
    }
}
