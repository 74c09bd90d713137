using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Planning;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Planning;

namespace Replicator.Core.Tests.Replication;

/// <summary><see cref="DestinationStateReader"/> asked directly with a mocked destination, for ECR answers LocalEcr never gives.</summary>
public sealed class DestinationStateReaderTests
{
    /// <summary>
    /// A root described without <c>imageStatus</c> (a member that came with the archive, absent from older answers, as
    /// ManifestPublisherTests reads it too) is an ACTIVE image: held, so a repeat is up to date. Read as not ACTIVE, every
    /// repeat would put the image again. One described ARCHIVED is not held: the plan's PutImage restores it.
    /// </summary>
    [Theory]
    [InlineData(null, true)]
    [InlineData(ImageStatus.Active, true)]
    [InlineData(ImageStatus.Archived, false)]
    public async Task A_root_described_without_a_status_is_held(string? status, bool held)
    {
        var image = Images.Single();
        var root = image.Root.ReferenceDigest;
        var client = new Mock<IEcrClient>(MockBehavior.Strict);
        client.Setup(c => c.DescribeImagesAsync(It.IsAny<DescribeImagesRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new DescribeImagesResponse { ImageDetails = [new ImageDetail { ImageDigest = root, ImageTags = ["v1"], ImageStatus = status }] });
        client.Setup(c => c.BatchCheckLayerAvailabilityAsync(It.IsAny<BatchCheckLayerAvailabilityRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new BatchCheckLayerAvailabilityResponse { Layers = [] });

        var state = await new DestinationStateReader().ReadAsync(client.Object, null, "app", image, CancellationToken.None);

        Assert.Equal(held, state.ManifestDigests.Contains(root));
        Assert.Equal(held ? root : null, state.TagDigest);
        Assert.Equal(held, ReplicationPlanner.Plan(image, state).IsEmpty);
    }
}
