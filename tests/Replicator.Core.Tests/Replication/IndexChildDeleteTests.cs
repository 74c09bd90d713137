using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// ECR lets a platform manifest go only once no index lists it, and emits one DELETE per image in no set order: the
/// child's event can come before its index's, in the same FIFO message group. The destination refuses the child
/// (ImageReferencedByManifestList) while it holds the index; the index, once the source no longer holds it, is deleted
/// first, and its own event later finds nothing. An index the source still holds is never deleted.
/// </summary>
public sealed class IndexChildDeleteTests
{
    [Fact]
    public async Task A_child_deleted_before_its_index_deletes_the_index_first_and_the_index_event_finds_nothing()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 169).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        var other = image.Manifests[1].Digest;
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });
        h.Server.Calls.Reset();

        var first = await h.Replicator().DeleteAsync(Request("multi", child, null, West), CancellationToken.None);

        // The child, refused; the index; the child again. The parent is named in the refusal: no listing of the destination.
        Assert.Equal(3, h.Calls(West, "BatchDeleteImage"));
        Assert.Equal(0, h.Calls(West, "BatchGetImage"));
        var west = Assert.Single(first.Destinations);
        Assert.Equal(ReplicationOutcome.Deleted, west.Outcome);
        Assert.Contains(image.Digest, west.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetImageAsync(West, "multi", child));
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Null(await h.TagDigestAsync(West, "multi", "v1"));
        Assert.NotNull(await h.GetImageAsync(West, "multi", other));

        var then = await h.Replicator().DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None);
        var index = Assert.Single(then.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, index.Outcome);
        Assert.True(then.Succeeded);
        Assert.False(then.ShouldRetry);
        Assert.NotNull(await h.GetImageAsync(West, "multi", other));
    }

    [Fact]
    public async Task A_child_whose_index_the_source_still_holds_is_refused_naming_the_index_and_nothing_is_deleted()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 170).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "held", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("held", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        // A tag only the destination has, on a platform manifest (the reconciler sends a DELETE of such a tag).
        var manifest = (await h.GetImageAsync(West, "held", child))!;
        await h.Client(West).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "held", ImageManifest = manifest.ImageManifest, ImageManifestMediaType = manifest.ImageManifestMediaType, ImageTag = "arm",
        });
        Assert.Equal(child, await h.TagDigestAsync(West, "held", "arm"));
        h.Server.Calls.Reset();

        var result = await h.Replicator().DeleteAsync(Request("held", child, "arm", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.False(west.Transient);
        Assert.Equal(ImageFailureCode.ImageReferencedByManifestList, west.ErrorCode);
        Assert.Contains($"the source still holds the index(es) that list it: {image.Digest}", west.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Calls(West, "BatchDeleteImage"));
        Assert.Equal(child, await h.TagDigestAsync(West, "held", "arm"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "held", "v1"));
        Assert.NotNull(await h.GetImageAsync(West, "held", child));
    }
}
