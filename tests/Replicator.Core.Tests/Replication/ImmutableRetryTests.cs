using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using Replicator.Samples;
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
}
