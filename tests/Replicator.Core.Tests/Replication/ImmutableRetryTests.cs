using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// ECR refuses a PutImage that repeats an immutable tag's own manifest with ImageTagAlreadyExistsException
/// (https://github.com/aws/containers-roadmap/issues/2179). A PutImage whose answer was lost and is retried
/// meets exactly that: the replicator reads where the tag points before calling it a conflict.
/// </summary>
public sealed class ImmutableRetryTests
{
    [Theory]
    [InlineData(ImageTagMutability.Immutable, null)]
    [InlineData(ImageTagMutability.ImmutableWithExclusion, "dev-*")]
    public async Task A_put_that_landed_but_lost_its_answer_is_up_to_date_not_a_conflict(string mutability, string? exclusion)
    {
        LostAnswerHandler? lost = null;
        await using var h = await StartAsync(inner => lost = new LostAnswerHandler(inner, "PutImage"));
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest
        {
            RepositoryName = "pinned",
            ImageTagMutability = mutability,
            ImageTagMutabilityExclusionFilters = exclusion is null ? null : [new ImageTagMutabilityExclusionFilter { FilterType = ImageTagMutabilityExclusionFilterType.Wildcard, Filter = exclusion }],
        });
        var image = new SampleImageBuilder(seed: 90).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "pinned", image, "v1");
        lost!.Arm();

        var result = await h.Replicator().ReplicateAsync(Request("pinned", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(1, lost!.Lost);
        Assert.True(result.Succeeded, result.Destinations[0].ErrorCode + ": " + result.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "pinned", "v1"));

        // The first PutImage landed, its retry was refused, and a DescribeImages by tag settled it.
        Assert.Equal(2, h.Calls(West, "PutImage"));
    }

    /// <summary>
    /// The destination's own lifecycle archived the replica its immutable tag names. DescribeImages describes only
    /// ACTIVE images unless asked for every status (botocore ECR model, DescribeImagesFilter.imageStatus), so without
    /// asking for them the tag seemed to name nothing and a redelivered push became a conflict in the dead-letter queue.
    /// The tagged push that would restore the replica is refused for the tag; a tagless push of the same manifest
    /// restores it where ECR takes that as a re-push (archive-image.html). Where it does not (the other reading of a
    /// known unknown, docs/fidelity.md), the replica stays unpullable: a permanent failure naming the fix, never "up to
    /// date" over an image nobody can pull.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_tag_naming_the_same_image_archived_at_the_destination_is_restored_or_named_never_a_conflict(bool taglessPushLeavesArchived)
    {
        await using var h = await StartAsync(configure: o => o.TaglessPushLeavesArchived = taglessPushLeavesArchived);
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "frozen", ImageTagMutability = ImageTagMutability.Immutable });
        var image = new SampleImageBuilder(seed: 91).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "frozen", image, "v1");
        await h.PushAsync(West, "frozen", image, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "frozen", image.Digest);
        var putsBefore = h.Calls(West, "PutImage");

        var result = await h.Replicator().ReplicateAsync(Request("frozen", image.Digest, "v1", West), CancellationToken.None);

        // The tagged put, refused for the tag; then the tagless one.
        Assert.Equal(putsBefore + 2, h.Calls(West, "PutImage"));
        var replica = await ImageDescriptions.FindAsync(h.Client(West), null, "frozen", new() { ImageDigest = image.Digest }, CancellationToken.None);
        var destination = result.Destinations[0];
        if (taglessPushLeavesArchived)
        {
            Assert.Equal(ImageStatus.Archived, replica?.ImageStatus);
            Assert.Equal(ReplicationOutcome.Failed, destination.Outcome);
            Assert.Equal(Replicator.Core.Errors.ReplicationErrorCodes.ReplicaArchived, destination.ErrorCode);
            Assert.False(destination.Transient);
            // The restore as a command that runs as given: the operation requires the repository and the image.
            Assert.Contains($"aws ecr update-image-storage-class --region {West} --repository-name frozen --image-id imageDigest={image.Digest} --target-storage-class STANDARD", destination.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.True(result.Succeeded, destination.ErrorCode + ": " + destination.Message);
            Assert.Equal(ImageStatus.Active, replica?.ImageStatus);
            Assert.Equal(image.Digest, await h.TagDigestAsync(West, "frozen", "v1"));
        }
    }

    /// <summary>
    /// ECR refused the tag as taken, and the image it named was deleted before the replicator asked which one it was (a
    /// replicated delete, a lifecycle rule): the tag names nothing now, so a retry can put it and it is no conflict.
    /// </summary>
    [Fact]
    public async Task A_tag_refused_as_taken_whose_image_is_gone_by_the_describe_is_retried_not_a_conflict()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "freed", ImageTagMutability = ImageTagMutability.Immutable });
        var image = new SampleImageBuilder(seed: 92).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "freed", image, "v1");

        // The refusal ECR gave while another image held the tag; that image is gone by the DescribeImages that follows.
        hook!.Arm("PutImage", "v1", () => BeforeRequestHandler.Answer("""{"__type":"ImageTagAlreadyExistsException","message":"The image tag 'v1' already exists in the 'freed' repository and cannot be overwritten because the repository is immutable."}""", System.Net.HttpStatusCode.BadRequest));
        var replicator = h.Replicator();

        var refused = await replicator.ReplicateAsync(Request("freed", image.Digest, "v1", West), CancellationToken.None);
        var retried = await replicator.ReplicateAsync(Request("freed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(refused.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.NotEqual(Replicator.Core.Errors.ReplicationErrorCodes.ImmutableTagConflict, west.ErrorCode);
        Assert.True(west.Transient, west.Message);
        Assert.True(refused.ShouldRetry);
        Assert.True(retried.Succeeded, retried.Destinations[0].ErrorCode + ": " + retried.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "freed", "v1"));
    }
}
