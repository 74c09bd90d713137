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
    /// </summary>
    [Fact]
    public async Task A_tag_naming_the_same_image_archived_at_the_destination_is_not_a_conflict()
    {
        await using var h = await StartAsync();
        await h.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "frozen", ImageTagMutability = ImageTagMutability.Immutable });
        var image = new SampleImageBuilder(seed: 91).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "frozen", image, "v1");
        await h.PushAsync(West, "frozen", image, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "frozen", image.Digest);
        var putsBefore = h.Calls(West, "PutImage");

        var result = await h.Replicator().ReplicateAsync(Request("frozen", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].ErrorCode + ": " + result.Destinations[0].Message);
        Assert.Equal(putsBefore + 1, h.Calls(West, "PutImage"));
    }
}
