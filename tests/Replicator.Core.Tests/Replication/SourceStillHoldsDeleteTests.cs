using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// A replicated delete reads the source first: a DELETE that arrives after the push that put the tag back (EventBridge
/// and a standard queue keep no order), is redriven late, or was never the source's, deletes nothing.
/// </summary>
public sealed class SourceStillHoldsDeleteTests
{
    [Fact]
    public async Task A_tag_the_source_still_holds_is_not_deleted_anywhere()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 150).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "kept", image, "v1");
        await h.Replicator().ReplicateAsync(Request("kept", image.Digest, "v1", West, Europe), CancellationToken.None);

        var result = await h.Replicator().DeleteAsync(Request("kept", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Skipped, d.Outcome);
            Assert.Equal(ReplicationErrorCodes.SourceImageStillPresent, d.ErrorCode);
            Assert.Contains("tag 'v1'", d.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, h.Calls(West, "BatchDeleteImage") + h.Calls(Europe, "BatchDeleteImage"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "kept", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "kept", "v1"));
    }

    [Fact]
    public async Task A_delete_that_arrives_after_the_tag_was_pushed_again_leaves_the_tag()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 151);
        var first = builder.Image(SampleFormat.Oci, [1000]);
        var second = builder.Image(SampleFormat.Oci, [2000]);
        await h.PushAsync(Source, "swapped", first, "latest");
        await h.Replicator().ReplicateAsync(Request("swapped", first.Digest, "latest", West), CancellationToken.None);
        await h.DeleteAsync(Source, "swapped", new ImageIdentifier { ImageTag = "latest" });
        await h.PushAsync(Source, "swapped", second, "latest");

        // The push of the second image is handled first, then the older DELETE of the first.
        await h.Replicator().ReplicateAsync(Request("swapped", second.Digest, "latest", West), CancellationToken.None);
        var result = await h.Replicator().DeleteAsync(Request("swapped", first.Digest, "latest", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageStillPresent, west.ErrorCode);
        Assert.Contains(second.Digest, west.Message, StringComparison.Ordinal);
        Assert.Equal(second.Digest, await h.TagDigestAsync(West, "swapped", "latest"));
        Assert.Equal(0, h.Calls(West, "BatchDeleteImage"));
    }

    [Fact]
    public async Task A_tag_the_source_no_longer_has_is_deleted()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 152).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "gone", image, "v1");
        await h.Replicator().ReplicateAsync(Request("gone", image.Digest, "v1", West), CancellationToken.None);
        await h.DeleteAsync(Source, "gone", new ImageIdentifier { ImageTag = "v1" });

        var result = await h.Replicator().DeleteAsync(Request("gone", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, Assert.Single(result.Destinations).Outcome);
        Assert.Null(await h.TagDigestAsync(West, "gone", "v1"));
        Assert.Equal(1, h.Calls(West, "BatchDeleteImage"));
    }

    [Fact]
    public async Task A_digest_is_deleted_only_once_the_source_no_longer_holds_it()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 153).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "bydigest", image, null);
        await h.Replicator().ReplicateAsync(Request("bydigest", image.Digest, null, West), CancellationToken.None);

        var held = await h.Replicator().DeleteAsync(Request("bydigest", image.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(held.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageStillPresent, west.ErrorCode);
        Assert.Equal(0, h.Calls(West, "BatchDeleteImage"));
        Assert.NotNull(await h.GetImageAsync(West, "bydigest", image.Digest));

        await h.DeleteAsync(Source, "bydigest", new ImageIdentifier { ImageDigest = image.Digest });
        var deleted = await h.Replicator().DeleteAsync(Request("bydigest", image.Digest, null, West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, Assert.Single(deleted.Destinations).Outcome);
        Assert.Null(await h.GetImageAsync(West, "bydigest", image.Digest));
    }

    /// <summary>
    /// Only an answer that the source does not hold the tag lets a delete through: a source that cannot be read (access
    /// denied, throttling past the retries, a server error) deletes nothing anywhere, and the failure is the message's.
    /// </summary>
    [Theory]
    [InlineData("AccessDeniedException", 400)]
    [InlineData("ThrottlingException", 400)]
    [InlineData("ServerException", 500)]
    public async Task A_source_that_cannot_be_read_deletes_nothing(string errorCode, int status)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 155).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "unread", image, "v1");
        await h.Replicator().ReplicateAsync(Request("unread", image.Digest, "v1", West, Europe), CancellationToken.None);
        await h.DeleteAsync(Source, "unread", new ImageIdentifier { ImageTag = "v1" });
        h.Server.Faults.FailNext("DescribeImages", 1000, errorCode, status, region: Source);

        var result = await h.Replicator().DeleteAsync(Request("unread", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d => Assert.Equal(ReplicationOutcome.Failed, d.Outcome));
        Assert.Equal(0, h.Calls(West, "BatchDeleteImage") + h.Calls(Europe, "BatchDeleteImage"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "unread", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "unread", "v1"));
    }

    [Fact]
    public async Task A_source_repository_that_no_longer_exists_lets_the_delete_through()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 154).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(West, "removed", image, "v1");

        var result = await h.Replicator().DeleteAsync(Request("removed", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Deleted, Assert.Single(result.Destinations).Outcome);
        Assert.Null(await h.TagDigestAsync(West, "removed", "v1"));
    }

    /// <summary>
    /// A digest deleted in the source whose destination repository does not exist (never replicated there, or removed by
    /// its owner): nothing was deleted there, so the result says skipped, not deleted.
    /// </summary>
    [Fact]
    public async Task A_digest_delete_into_a_destination_without_the_repository_is_skipped()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 155).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "nowhere", image, "v1");
        await h.DeleteAsync(Source, "nowhere", new ImageIdentifier { ImageDigest = image.Digest });

        var result = await h.Replicator().DeleteAsync(Request("nowhere", image.Digest, null, West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Contains("repository does not exist", west.Message, StringComparison.Ordinal);
        Assert.True(result.Succeeded);
    }
}
