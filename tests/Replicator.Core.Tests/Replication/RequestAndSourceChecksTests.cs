using Moq;
using Replicator.Core.Ecr;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;

namespace Replicator.Core.Tests.Replication;

/// <summary>RequestValidator's checks of a destination and SourceManifests.HoldsAsync's reading of a gone repository, each on its own.</summary>
public sealed class RequestAndSourceChecksTests
{
    private const string Digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly ImageReference Source = new("111111111111", "us-east-1", "app", Digest, "v1");

    /// <summary>
    /// A destination's account is checked as the source's is: one that is not 12 digits would be sent as the registry
    /// id of every call to that destination (and named in its role ARN), refused by ECR on each try rather than once here.
    /// </summary>
    [Theory]
    [InlineData("12345")]
    [InlineData("22222222222a")]
    public void A_destination_account_that_is_not_an_account_id_is_refused_as_the_destinations_problem(string account)
    {
        var problem = RequestValidator.Validate(new ReplicationRequest(Source, [new ReplicationDestination("us-west-2", account)]));

        Assert.NotNull(problem);
        Assert.StartsWith("destination: ", problem, StringComparison.Ordinal);
        Assert.Contains(account, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_destination_in_another_account_of_the_same_region_is_taken()
    {
        Assert.Null(RequestValidator.Validate(new ReplicationRequest(Source, [new ReplicationDestination("us-east-1", "222222222222")])));
    }

    /// <summary>
    /// A source repository gone (BatchGetImage answers RepositoryNotFoundException) holds nothing: the callers read
    /// "not held" as the image deleted meanwhile (an index's child missing: stale, not a permanent SourceImageNotFound;
    /// a refused layer: deleted while copied). Read as held, a deleted repository's late event would be dead-lettered.
    /// </summary>
    [Fact]
    public async Task A_source_repository_that_is_gone_holds_no_image()
    {
        var source = new Mock<IEcrClient>(MockBehavior.Strict);
        source.Setup(c => c.BatchGetImageAsync(It.IsAny<BatchGetImageRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new EcrException(EcrErrorCodes.RepositoryNotFoundException, "The repository with name 'app' does not exist", System.Net.HttpStatusCode.BadRequest));

        Assert.False(await SourceManifests.HoldsAsync(source.Object, Source, Digest, CancellationToken.None));
    }

    /// <summary>
    /// A tag refused as ImageInaccessible is read as "moved on to another image" only when the request names the digest
    /// it meant: a request by tag alone (the CLI's repo:tag) has no other image to compare with, so the refusal surfaces
    /// with its code instead of reading as "not found", which would report the image gone.
    /// </summary>
    [Fact]
    public async Task An_inaccessible_tag_of_a_request_without_a_digest_surfaces_as_the_refusal()
    {
        var source = new Mock<IEcrClient>(MockBehavior.Strict);
        source.Setup(c => c.BatchGetImageAsync(It.IsAny<BatchGetImageRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new BatchGetImageResponse
            {
                Images = [],
                Failures = [new ImageFailure { ImageId = new ImageIdentifier { ImageTag = "v1", ImageDigest = Digest }, FailureCode = ImageFailureCode.ImageInaccessible, FailureReason = "archived" }],
            });

        var refused = await Assert.ThrowsAsync<ReplicationException>(() => SourceManifests.GetImagesAsync(source.Object, Source with { Digest = null }, [new ImageIdentifier { ImageTag = "v1" }], CancellationToken.None));

        Assert.Equal(ImageFailureCode.ImageInaccessible, refused.ErrorCode);
        Assert.False(refused.IsTransient);
    }

    [Fact]
    public async Task An_image_is_held_only_when_BatchGetImage_returns_it()
    {
        var source = new Mock<IEcrClient>(MockBehavior.Strict);
        source.SetupSequence(c => c.BatchGetImageAsync(It.IsAny<BatchGetImageRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new BatchGetImageResponse { Images = [new Image { ImageId = new ImageIdentifier { ImageDigest = Digest } }] })
            .ReturnsAsync(new BatchGetImageResponse { Images = [], Failures = [new ImageFailure { ImageId = new ImageIdentifier { ImageDigest = Digest }, FailureCode = ImageFailureCode.ImageNotFound }] });

        Assert.True(await SourceManifests.HoldsAsync(source.Object, Source, Digest, CancellationToken.None));
        Assert.False(await SourceManifests.HoldsAsync(source.Object, Source, Digest, CancellationToken.None));
    }
}
