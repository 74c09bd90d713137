using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// ECR lets a platform manifest go only once no index lists it, and emits one DELETE per image in no set order: the
/// child's event can come before its index's, in the same FIFO message group. The destination refuses the child
/// (ImageReferencedByManifestList) while it holds the index. The index is never deleted by inference (the replica of an
/// index the source deleted looks the same as one the source never had): the child is left, and the index's own
/// DELETE removes what it listed that the source no longer holds.
/// </summary>
public sealed class IndexChildDeleteTests
{
    [Fact]
    public async Task A_child_deleted_before_its_index_is_left_and_the_index_event_removes_both()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 169).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        var other = image.Manifests[1].Digest;
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });

        var first = await h.Replicator().DeleteAsync(Request("multi", child, null, West), CancellationToken.None);

        var west = Assert.Single(first.Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ImageFailureCode.ImageReferencedByManifestList, west.ErrorCode);
        Assert.True(first.Succeeded);
        Assert.False(first.ShouldRetry);
        Assert.NotNull(await h.GetImageAsync(West, "multi", child));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "multi", "v1"));

        var then = await h.Replicator().DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None);

        var index = Assert.Single(then.Destinations);
        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Contains(child, index.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Null(await h.GetImageAsync(West, "multi", child));

        // The other platform manifest is still the source's: it stays, as in the source.
        Assert.NotNull(await h.GetImageAsync(West, "multi", other));
        Assert.DoesNotContain(other, index.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// The index's DELETE first (the source deleted index and children in one call): the index goes, and with it each
    /// platform manifest the source no longer holds, untagged or tagged with tags the source no longer has (the "arm"
    /// tag here, which its digest's own DELETE would take too); one the source still holds stays. The children's own
    /// DELETEs then find nothing.
    /// </summary>
    [Fact]
    public async Task An_index_deleted_first_takes_the_children_the_source_deleted_tagged_or_not_and_keeps_the_one_it_holds()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 171).MultiArch(SampleFormat.Oci, [1000, 2000], withAttestation: true);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var (gone, tagged, kept) = (image.Manifests[0].Digest, image.Manifests[1].Digest, image.Manifests[2].Digest);
        await PutTagAsync(h, West, "multi", tagged, "arm");
        await h.DeleteAsync(
            Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = gone }, new ImageIdentifier { ImageDigest = tagged });

        var index = Assert.Single((await h.Replicator().DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Null(await h.GetImageAsync(West, "multi", gone));
        Assert.Null(await h.GetImageAsync(West, "multi", tagged));
        Assert.Null(await h.TagDigestAsync(West, "multi", "arm"));
        Assert.Contains(tagged, index.Message, StringComparison.Ordinal);
        Assert.NotNull(await h.GetImageAsync(West, "multi", kept));
        var child = Assert.Single((await h.Replicator().DeleteAsync(Request("multi", gone, null, West), CancellationToken.None)).Destinations);
        Assert.Equal(ReplicationOutcome.Skipped, child.Outcome);
    }

    /// <summary>
    /// A platform manifest the source deleted keeps, after its index's DELETE, the tags the replicator does not own: one
    /// outside TAG_FILTER (never replicated, so the destination's own) and one the source holds at another digest (its
    /// push event moves it). Only the tag the source lost and the filter takes goes, by its name, and the image stays.
    /// </summary>
    [Fact]
    public async Task A_child_keeps_its_tags_outside_the_tag_filter_or_still_in_the_source_and_loses_the_others()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 173).MultiArch(SampleFormat.Oci, [1000, 2000]);
        var elsewhere = new SampleImageBuilder(seed: 174).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "multi", image, "v1");
        var options = FastOptions with { TagFilter = Core.Selection.TagFilter.Create("v.*") };
        Assert.True((await h.Replicator(options).ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        foreach (var tag in new[] { "v1-amd64", "v1-moved", "pinned" })
        {
            await PutTagAsync(h, West, "multi", child, tag);
        }

        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });
        await h.PushAsync(Source, "multi", elsewhere, "v1-moved");

        var index = Assert.Single((await h.Replicator(options).DeleteAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Contains("v1-amd64", index.Message, StringComparison.Ordinal);
        Assert.Null(await h.TagDigestAsync(West, "multi", "v1-amd64"));
        Assert.Equal(child, await h.TagDigestAsync(West, "multi", "v1-moved"));
        Assert.Equal(child, await h.TagDigestAsync(West, "multi", "pinned"));
    }

    [Fact]
    public async Task A_child_whose_index_the_source_still_holds_is_left_and_nothing_is_deleted()
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
        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ImageFailureCode.ImageReferencedByManifestList, west.ErrorCode);
        Assert.Equal(1, h.Calls(West, "BatchDeleteImage"));
        Assert.Equal(child, await h.TagDigestAsync(West, "held", "arm"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "held", "v1"));
        Assert.NotNull(await h.GetImageAsync(West, "held", child));
    }

    /// <summary>
    /// The destination holds an index the source never had (its owner's, over the replicated platform manifests). The
    /// source deletes its own image, the child's DELETE first: the owner's index and its tag stay (they were deleted,
    /// since "the source holds none of the parents" is also true of an index it never had).
    /// </summary>
    [Fact]
    public async Task A_destination_only_index_listing_a_deleted_child_is_never_deleted()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 901).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        var index = (await h.GetImageAsync(West, "multi", image.Digest))!;
        var own = "{\"annotations\":{\"built-by\":\"west-team\"}," + index.ImageManifest!.TrimStart()[1..];
        await h.Client(West).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "multi", ImageManifest = own, ImageManifestMediaType = index.ImageManifestMediaType, ImageTag = "west-build",
        });
        var ownDigest = (await h.TagDigestAsync(West, "multi", "west-build"))!;
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });

        var first = Assert.Single((await h.Replicator().DeleteAsync(Request("multi", child, null, West), CancellationToken.None)).Destinations);
        var then = Assert.Single((await h.Replicator().DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Skipped, first.Outcome);
        Assert.Equal(ReplicationOutcome.Deleted, then.Outcome);
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Equal(ownDigest, await h.TagDigestAsync(West, "multi", "west-build"));
        Assert.NotNull(await h.GetImageAsync(West, "multi", child));
    }

    /// <summary>
    /// The source never had an index: a single-platform image tagged "amd64", which the destination's owner wraps in an
    /// index of their own. The source deletes "amd64": ECR refuses the destination's last tag of a listed image
    /// (containers-roadmap#1567), and the owner's index stays.
    /// </summary>
    [Fact]
    public async Task A_tag_delete_of_an_image_a_destination_only_index_wraps_leaves_the_index()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 902).Image(SampleFormat.Oci, [1000]);
        await h.PushAsync(Source, "single", image, "amd64");
        Assert.True((await h.Replicator().ReplicateAsync(Request("single", image.Digest, "amd64", West), CancellationToken.None)).Succeeded);
        var own = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\""
            + image.Root.MediaType + "\",\"digest\":\"" + image.Digest + "\",\"size\":" + image.Root.Size
            + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
        await h.Client(West).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "single", ImageManifest = own, ImageManifestMediaType = "application/vnd.oci.image.index.v1+json", ImageTag = "release",
        });
        var ownDigest = (await h.TagDigestAsync(West, "single", "release"))!;
        await h.DeleteAsync(Source, "single", new ImageIdentifier { ImageTag = "amd64" });

        var west = Assert.Single((await h.Replicator().DeleteAsync(Request("single", image.Digest, "amd64", West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Skipped, west.Outcome);
        Assert.Equal(ownDigest, await h.TagDigestAsync(West, "single", "release"));
        Assert.NotNull(await h.GetImageAsync(West, "single", image.Digest));
    }

    /// <summary>
    /// The docker manifest pattern: a platform manifest with its own tag (amd64) under an index (v1); the source deletes
    /// both. Index first: the index goes and takes the manifest, whose tag the source no longer has. Platform manifest
    /// first: its tag delete is refused while the index lists it, and the index's delete then removes the tag and the
    /// manifest. Both orders end alike.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_tagged_platform_manifest_goes_with_its_index_in_either_order(bool indexFirst)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: indexFirst ? 501UL : 502UL).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        var child = image.Manifests[0].Digest;
        var manifest = (await h.GetImageAsync(Source, "multi", child))!;
        await h.Client(Source).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "multi", ImageManifest = manifest.ImageManifest, ImageManifestMediaType = manifest.ImageManifestMediaType, ImageTag = "amd64",
        });
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", child, "amd64", West), CancellationToken.None)).Succeeded);
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });
        ReplicationRequest[] deletes = [Request("multi", image.Digest, "v1", West), Request("multi", child, "amd64", West)];

        foreach (var delete in indexFirst ? deletes : deletes.Reverse())
        {
            Assert.False((await h.Replicator().DeleteAsync(delete, CancellationToken.None)).ShouldRetry);
        }

        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Null(await h.TagDigestAsync(West, "multi", "amd64"));
        Assert.Null(await h.GetImageAsync(West, "multi", child));
    }

    /// <summary>
    /// TAG_FILTER cannot decide a tag of the first platform manifest in time (RegexMatchTimeoutException, a pattern that
    /// backtracks catastrophically on it): that tag and its manifest are left, said, and the next platform manifest the
    /// source deleted still goes, as the reconciler leaves only the undecided tag out.
    /// </summary>
    [Fact]
    public async Task A_tag_filter_timeout_on_one_child_leaves_that_tag_and_still_removes_the_next_child()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 177).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var (first, second) = (image.Manifests[0].Digest, image.Manifests[1].Digest);
        var backtracks = new string('a', 40) + "-";
        await PutTagAsync(h, West, "multi", first, backtracks);
        await h.DeleteAsync(
            Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = first }, new ImageIdentifier { ImageDigest = second });

        // Nested quantifiers on a run of a's that cannot end the match: exponential backtracking, well past 1 ms.
        var filter = new System.Text.RegularExpressions.Regex("^(a+)+$|^v.*$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(1));
        Assert.Throws<System.Text.RegularExpressions.RegexMatchTimeoutException>(() => filter.IsMatch(backtracks));
        var options = FastOptions with { TagFilter = filter };
        var index = Assert.Single((await h.Replicator(options).DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Null(await h.GetImageAsync(West, "multi", second));
        Assert.Equal(first, await h.TagDigestAsync(West, "multi", backtracks));
        Assert.Contains(backtracks, index.Message, StringComparison.Ordinal);
        Assert.Contains(second, index.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An index's tag is deleted in the destination, and then whether the index stayed (it keeps other tags, or went with
    /// its last one) cannot be read: the tag is gone, so the delete is not failed (a retry would find the tag gone and
    /// skip); nothing more is removed, as the index may still list its platform manifests, and the message says so.
    /// </summary>
    [Fact]
    public async Task A_failed_read_after_an_index_tag_delete_is_said_and_removes_nothing_more()
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner));
        var image = new SampleImageBuilder(seed: 179).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });

        // Every DescribeImages in the destination after its BatchDeleteImage fails, past the retries.
        hook!.Arm("BatchDeleteImage", "v1", () =>
        {
            h.Server.Faults.FailNext("DescribeImages", 1000, "ServerException", 500, region: West);
            return Task.CompletedTask;
        });
        var result = await h.Replicator().DeleteAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Deleted, west.Outcome);
        Assert.False(result.ShouldRetry);
        Assert.Contains("not all checked", west.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.NotNull(await h.GetImageAsync(West, "multi", child));
    }

    /// <summary>
    /// Between the DescribeImages of a platform manifest whose every tag the source lost and its delete, the destination's
    /// owner puts a tag of its own on it (outside TAG_FILTER). The stale tag goes by its name; the image and the owner's
    /// tag stay. Deleted by digest, the image went "and all of its tags", the owner's with it.
    /// </summary>
    [Fact]
    public async Task A_tag_put_on_a_child_while_its_stale_tags_are_checked_is_not_deleted_with_them()
    {
        NthRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new NthRequestHandler(inner, "BatchDeleteImage", 2));
        var image = new SampleImageBuilder(seed: 181).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        var options = FastOptions with { TagFilter = Core.Selection.TagFilter.Create("v.*") };
        Assert.True((await h.Replicator(options).ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var child = image.Manifests[0].Digest;
        await PutTagAsync(h, West, "multi", child, "v1-amd64");
        await h.DeleteAsync(Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = child });

        // The second BatchDeleteImage (the first is the index's) is the child's: the owner's tag lands just before it.
        hook!.Before = () => PutTagAsync(h, West, "multi", child, "pinned");
        var index = Assert.Single((await h.Replicator(options).DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.True(hook.Fired);
        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Null(await h.GetImageAsync(West, "multi", image.Digest));
        Assert.Null(await h.TagDigestAsync(West, "multi", "v1-amd64"));
        Assert.Equal(child, await h.TagDigestAsync(West, "multi", "pinned"));
    }

    /// <summary>
    /// The source deleted an index tagged v1 and prod with its platform manifests, and the DELETE of v1 comes first. In
    /// the destination the index keeps prod, so it still lists its platform manifests: none is touched, neither the
    /// untagged one (ECR would refuse it) nor the tags of the tagged one (ECR removes a tag by name while another tag
    /// keeps the image, index or not). The DELETE of prod, which takes the index, removes them.
    /// </summary>
    [Fact]
    public async Task A_tag_deleted_from_an_index_that_keeps_another_tag_leaves_its_platform_manifests_and_their_tags()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 183).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        await h.PushAsync(Source, "multi", image, "prod");
        var replicator = h.Replicator();
        Assert.True((await replicator.ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        Assert.True((await replicator.ReplicateAsync(Request("multi", image.Digest, "prod", West), CancellationToken.None)).Succeeded);
        var (tagged, untagged) = (image.Manifests[0].Digest, image.Manifests[1].Digest);
        await PutTagAsync(h, West, "multi", tagged, "amd64");
        await PutTagAsync(h, West, "multi", tagged, "amd64-latest");
        await h.DeleteAsync(
            Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = tagged }, new ImageIdentifier { ImageDigest = untagged });
        h.Server.Calls.Reset();

        var west = Assert.Single((await replicator.DeleteAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Deleted, west.Outcome);
        Assert.Null(west.Message);
        Assert.Equal(1, h.Calls(West, "BatchDeleteImage"));
        Assert.Null(await h.TagDigestAsync(West, "multi", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "multi", "prod"));
        Assert.Equal(tagged, await h.TagDigestAsync(West, "multi", "amd64"));
        Assert.Equal(tagged, await h.TagDigestAsync(West, "multi", "amd64-latest"));
        Assert.NotNull(await h.GetImageAsync(West, "multi", untagged));
    }

    /// <summary>
    /// After its index's DELETE, a platform manifest the source deleted that another index in the destination still
    /// lists is refused by ECR (ImageReferencedByManifestList) and stays. That refusal is ECR's rule, expected, and not
    /// said as a failure: the result names only the platform manifests removed (an operator reading "refused" would look
    /// for a fault that is not there).
    /// </summary>
    [Fact]
    public async Task A_platform_manifest_another_index_still_lists_stays_and_its_refusal_is_not_said()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 903).MultiArch(SampleFormat.Oci, [1000, 2000]);
        await h.PushAsync(Source, "multi", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("multi", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        var (listed, alone) = (image.Manifests[0].Digest, image.Manifests[1].Digest);
        var child = (await h.GetImageAsync(West, "multi", listed))!;
        var own = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\""
            + child.ImageManifestMediaType + "\",\"digest\":\"" + listed + "\",\"size\":" + System.Text.Encoding.UTF8.GetByteCount(child.ImageManifest!)
            + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}";
        await h.Client(West).PutImageAsync(new PutImageRequest
        {
            RepositoryName = "multi", ImageManifest = own, ImageManifestMediaType = "application/vnd.oci.image.index.v1+json", ImageTag = "west-build",
        });
        await h.DeleteAsync(
            Source, "multi", new ImageIdentifier { ImageDigest = image.Digest }, new ImageIdentifier { ImageDigest = listed }, new ImageIdentifier { ImageDigest = alone });

        var index = Assert.Single((await h.Replicator().DeleteAsync(Request("multi", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Deleted, index.Outcome);
        Assert.Null(await h.GetImageAsync(West, "multi", alone));
        Assert.NotNull(await h.GetImageAsync(West, "multi", listed));
        Assert.Contains(alone, index.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(listed, index.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", index.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs <see cref="Before"/> once, just before the <c>n</c>th call of an operation is forwarded.</summary>
    private sealed class NthRequestHandler(HttpMessageHandler inner, string operation, int n) : DelegatingHandler(inner)
    {
        private int _seen;

        public Func<Task>? Before { get; set; }

        public bool Fired { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Before is { } before && request.Headers.TryGetValues("X-Amz-Target", out var targets)
                && targets.FirstOrDefault()?.EndsWith("." + operation, StringComparison.Ordinal) == true
                && Interlocked.Increment(ref _seen) == n)
            {
                Fired = true;
                await before();
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private static async Task PutTagAsync(EngineHarness h, string region, string repository, string digest, string tag)
    {
        var manifest = (await h.GetImageAsync(region, repository, digest))!;
        await h.Client(region).PutImageAsync(new PutImageRequest
        {
            RepositoryName = repository, ImageManifest = manifest.ImageManifest, ImageManifestMediaType = manifest.ImageManifestMediaType, ImageTag = tag,
        });
    }
}
