using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using Replicator.Testing;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>
/// An archived source image cannot be pulled: it is reported Archived, not failed, so it is never retried. Which
/// BatchGetImage failure ECR gives an archived image is a known unknown (docs/fidelity.md): the tests that meet it run
/// under both readings (<c>ImageNotFound</c>, <c>ImageInaccessible</c>).
/// </summary>
public sealed class ArchivedTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_archived_source_image_is_archived_in_every_destination_and_not_retried(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var image = new SampleImageBuilder(seed: 51).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "cold", image, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "cold", image.Digest);

        var result = await h.Replicator().ReplicateAsync(Request("cold", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded);
        Assert.False(result.ShouldRetry);
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Archived, d.Outcome);
            Assert.Equal(ReplicationErrorCodes.SourceImageArchived, d.ErrorCode);
        });
        Assert.Null(await h.GetImageAsync(West, "cold", image.Digest));
    }

    /// <summary>
    /// The destination's own lifecycle archived a replica, and the source image is replicated again (pushed again, a
    /// reconcile pass): the push restores the replica ("re-pushing the image to the repository",
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/archive-image.html). Whether ECR applies DescribeImages'
    /// status filter to images asked for by id is a known unknown (docs/fidelity.md); the outcome must not depend on it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replica_archived_at_the_destination_is_restored_whichever_way_ecr_reads_the_status_filter_for_ids(bool idsIgnoreStatusFilter)
    {
        await using var h = await StartAsync(configure: o => o.DescribeImagesByIdIgnoresStatusFilter = idsIgnoreStatusFilter);
        var image = new SampleImageBuilder(seed: 58).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "refrozen", image, "v1");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("refrozen", image.Digest, "v1", West), CancellationToken.None);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "refrozen", image.Digest);

        var again = await replicator.ReplicateAsync(Request("refrozen", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(again.Succeeded, again.Destinations[0].ErrorCode + ": " + again.Destinations[0].Message);
        var replica = await ImageDescriptions.FindAsync(h.Client(West), null, "refrozen", new() { ImageDigest = image.Digest }, CancellationToken.None);
        Assert.Equal(Replicator.Core.Ecr.Model.ImageStatus.Active, replica?.ImageStatus);
        Assert.NotNull(await h.GetImageAsync(West, "refrozen", image.Digest));
    }

    /// <summary>
    /// The same archived replica, put again without a tag (an event by digest): where ECR answers that push
    /// ImageAlreadyExistsException and leaves the image archived (the other reading of a known unknown,
    /// <c>TaglessPushLeavesArchived</c>), it was reported replicated and the message deleted while nobody could pull the
    /// replica. Now its status is read: restored, replicated; still archived, <c>ReplicaArchived</c>, naming the restore.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_archived_replica_put_again_without_a_tag_is_restored_or_named_never_replicated_while_archived(bool taglessPushLeavesArchived)
    {
        await using var h = await StartAsync(configure: o => o.TaglessPushLeavesArchived = taglessPushLeavesArchived);
        var image = new SampleImageBuilder(seed: 59).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "bydigest", image, "v1");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("bydigest", image.Digest, null, West), CancellationToken.None);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "bydigest", image.Digest);

        var again = await replicator.ReplicateAsync(Request("bydigest", image.Digest, null, West), CancellationToken.None);

        var destination = Assert.Single(again.Destinations);
        var replica = await ImageDescriptions.FindAsync(h.Client(West), null, "bydigest", new() { ImageDigest = image.Digest }, CancellationToken.None);
        if (taglessPushLeavesArchived)
        {
            Assert.Equal(Replicator.Core.Ecr.Model.ImageStatus.Archived, replica?.ImageStatus);
            Assert.Equal(ReplicationOutcome.Failed, destination.Outcome);
            Assert.Equal(ReplicationErrorCodes.ReplicaArchived, destination.ErrorCode);
            Assert.False(destination.Transient);
            Assert.Contains($"aws ecr update-image-storage-class --region {West} --repository-name bydigest --image-id imageDigest={image.Digest} --target-storage-class STANDARD", destination.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(ReplicationOutcome.Replicated, destination.Outcome);
            Assert.Equal(Replicator.Core.Ecr.Model.ImageStatus.Active, replica?.ImageStatus);
        }
    }

    /// <summary>
    /// A replica being restored in the destination (ACTIVATING), put again without a tag where ECR answers that push as
    /// already there: the restore under way ends it, so it is retried (transient), not dead-lettered as archived with a
    /// restore to run and a redrive by hand; once the restore ends, the retry finds it there.
    /// </summary>
    [Fact]
    public async Task A_replica_being_restored_is_retried_until_the_restore_ends_not_dead_lettered()
    {
        await using var h = await StartAsync(configure: o => o.TaglessPushLeavesArchived = true);
        var image = new SampleImageBuilder(seed: 60).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "restoring", image, "v1");
        var replicator = h.Replicator();
        await replicator.ReplicateAsync(Request("restoring", image.Digest, null, West), CancellationToken.None);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, West, "restoring", image.Digest);
        await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, West, "restoring", image.Digest);

        var during = Assert.Single((await replicator.ReplicateAsync(Request("restoring", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.Failed, during.Outcome);
        Assert.Equal(ReplicationErrorCodes.ReplicaActivating, during.ErrorCode);
        Assert.True(during.Transient);
        Assert.DoesNotContain("redrive", during.Message, StringComparison.Ordinal);

        h.Server.FinishRestores();
        var after = Assert.Single((await replicator.ReplicateAsync(Request("restoring", image.Digest, null, West), CancellationToken.None)).Destinations);

        Assert.Equal(ReplicationOutcome.UpToDate, after.Outcome);
    }

    [Fact]
    public async Task A_restored_image_replicates_again_and_a_deleted_one_is_still_a_stale_skip()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 52);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var gone = builder.Image(SampleFormat.Oci, [2048]);
        await h.PushAsync(Source, "warm", image, "v1");
        await h.PushAsync(Source, "warm", gone, "v2");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "warm", image.Digest);
        await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, Source, "warm", image.Digest);
        h.Server.FinishRestores();
        await h.Client(Source).BatchDeleteImageAsync(new() { RepositoryName = "warm", ImageIds = [new() { ImageDigest = gone.Digest }] });
        var replicator = h.Replicator();

        var restored = await replicator.ReplicateAsync(Request("warm", image.Digest, "v1", West), CancellationToken.None);
        var deleted = await replicator.ReplicateAsync(Request("warm", gone.Digest, "v2", West), CancellationToken.None);

        Assert.Equal(ReplicationOutcome.Replicated, restored.Destinations[0].Outcome);
        Assert.Equal(ReplicationOutcome.Skipped, deleted.Destinations[0].Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageNotFound, deleted.Destinations[0].ErrorCode);
    }

    [Fact]
    public async Task An_archived_referrer_is_left_behind_while_its_active_subject_is_copied()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 53);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "mixed", image, "v1");
        await h.PushAsync(Source, "mixed", sbom, null);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "mixed", sbom.Digest);

        var result = await h.Replicator().ReplicateAsync(Request("mixed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("mixed", image.Digest));
        Assert.Null(await h.GetImageAsync(West, "mixed", sbom.Digest));
    }

    [Fact]
    public async Task A_referrer_of_an_archived_subject_is_copied_where_the_subject_is_held_and_archived_where_it_is_not()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 57);
        var image = builder.Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "cold", image, "v1");
        var replicator = h.Replicator();
        Assert.True((await replicator.ReplicateAsync(Request("cold", image.Digest, "v1", West), CancellationToken.None)).Succeeded);

        // Archived in the source after West got it; Europe never did. Then signed (ECR lets an archived image be a subject).
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "cold", image.Digest);
        var signature = builder.Artifact(image.Root, "application/vnd.dev.cosign.artifact.sig.v1+json", 256);
        await h.PushAsync(Source, "cold", signature, null);

        var result = await replicator.ReplicateAsync(Request("cold", signature.Digest, null, West, Europe), CancellationToken.None);

        Assert.False(result.ShouldRetry);
        var west = result.Destinations.Single(d => d.Destination.Region == West);
        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.True(await h.Probe(West).HasVerifiedImageAsync("cold", signature.Digest));
        Assert.Equal(ReplicationOutcome.Archived, europe.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageArchived, europe.ErrorCode);
        Assert.Contains("archived in the source", europe.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetImageAsync(Europe, "cold", signature.Digest));
    }

    /// <summary>
    /// A restore takes ECR up to 20 minutes, during which the image is ACTIVATING (botocore's ECR model, ImageStatus;
    /// https://docs.aws.amazon.com/AmazonECR/latest/userguide/restore-image.html): it is neither gone (a stale event)
    /// nor archived for good, so the record is retried until the image is ACTIVE. LocalEcr keeps a restored image
    /// ACTIVATING, not pullable, until its restore duration passes or the test ends the restore.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_source_image_being_restored_is_retried_not_a_stale_event(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var image = new SampleImageBuilder(seed: 54).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "thawing", image, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "thawing", image.Digest);
        await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, Source, "thawing", image.Digest);
        var replicator = h.Replicator();

        var restoring = await replicator.ReplicateAsync(Request("thawing", image.Digest, "v1", West, Europe), CancellationToken.None);
        h.Server.FinishRestores();
        var restored = await replicator.ReplicateAsync(Request("thawing", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(restoring.ShouldRetry);
        Assert.Equal(2, restoring.Destinations.Count);
        Assert.All(restoring.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Failed, d.Outcome);
            Assert.Equal(ReplicationErrorCodes.SourceImageActivating, d.ErrorCode);
            Assert.True(d.Transient);
            Assert.Contains("ACTIVATING", d.Message, StringComparison.Ordinal);
        });
        Assert.True(restored.Succeeded, restored.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "thawing", "v1"));
    }

    /// <summary>
    /// The third reading of "DescribeImages imageIds and the status filter" (ECR ignores the filter for ids and describes
    /// ACTIVE images only, LocalEcrOptions.DescribeImagesByIdActiveOnly). A source being restored must still be retried,
    /// never skipped as a stale event (the restore emits no push event to bring it back).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_source_being_restored_is_retried_when_ecr_describes_ids_active_only(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => { o.ArchivedImagesInaccessible = inaccessible; o.DescribeImagesByIdActiveOnly = true; });
        var image = new SampleImageBuilder(seed: 54).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "thawing", image, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "thawing", image.Digest);
        await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, Source, "thawing", image.Digest);

        var restoring = await h.Replicator().ReplicateAsync(Request("thawing", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(restoring.ShouldRetry, string.Join(" | ", restoring.Destinations.Select(d => $"{d.Outcome} {d.ErrorCode} transient={d.Transient}: {d.Message}")));
    }

    /// <summary>The same reading: a replicated delete of a tag the source still holds, archived, leaves the destination's tag.</summary>
    [Fact]
    public async Task An_archived_source_tag_is_not_read_as_deleted_when_ecr_describes_ids_active_only()
    {
        await using var h = await StartAsync(configure: o => o.DescribeImagesByIdActiveOnly = true);
        var image = new SampleImageBuilder(seed: 77).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "kept", image, "v1");
        Assert.True((await h.Replicator().ReplicateAsync(Request("kept", image.Digest, "v1", West), CancellationToken.None)).Succeeded);
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "kept", image.Digest);

        // A late (or redriven) DELETE of v1, while the source still holds v1, archived.
        var deleted = await h.Replicator().DeleteAsync(Request("kept", image.Digest, "v1", West), CancellationToken.None);

        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "kept", "v1") ?? $"gone: {deleted.Destinations[0].Outcome} {deleted.Destinations[0].Message}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_image_archived_while_its_layers_are_downloaded_is_archived_not_a_stale_event_or_a_failure(bool inaccessible)
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner), configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var image = new SampleImageBuilder(seed: 55).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "chilled", image, "v1");

        // Archived just before the first layer's GetDownloadUrlForLayer: its layers can no longer be pulled either.
        hook!.Arm("GetDownloadUrlForLayer", "chilled", () => EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "chilled", image.Digest));

        var result = await h.Replicator().ReplicateAsync(Request("chilled", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.False(result.ShouldRetry);
        Assert.Equal(2, result.Destinations.Count);
        Assert.All(result.Destinations, d =>
        {
            Assert.Equal(ReplicationOutcome.Archived, d.Outcome);
            Assert.Equal(ReplicationErrorCodes.SourceImageArchived, d.ErrorCode);
            Assert.Contains("archived while it was copied", d.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, h.Calls(West, "PutImage"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_image_archived_and_already_being_restored_while_it_is_copied_is_retried(bool inaccessible)
    {
        BeforeRequestHandler? hook = null;
        await using var h = await StartAsync(inner => hook = new BeforeRequestHandler(inner), configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var image = new SampleImageBuilder(seed: 56).Image(SampleFormat.Oci, [1024]);
        await h.PushAsync(Source, "thawed", image, "v1");
        hook!.Arm("GetDownloadUrlForLayer", "thawed", async () =>
        {
            await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "thawed", image.Digest);
            await EcrArchiver.RestoreAsync(h.Http, h.Server.BaseAddress, Source, "thawed", image.Digest);
        });

        var result = await h.Replicator().ReplicateAsync(Request("thawed", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(hook.Fired);
        Assert.True(result.ShouldRetry);
        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.SourceImageActivating, west.ErrorCode);
        Assert.True(west.Transient);
    }

    /// <summary>
    /// A late event (v1 at D1) whose tag has moved on to D2, archived since: the lookup of the tag fails (under the
    /// ImageInaccessible reading) while D1 is served. D1 is still copied, untagged, as for any late event whose tag moved
    /// on; the tag is not moved to it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_late_event_whose_tag_now_names_an_archived_image_still_copies_its_digest_untagged(bool inaccessible)
    {
        await using var h = await StartAsync(configure: o => o.ArchivedImagesInaccessible = inaccessible);
        var builder = new SampleImageBuilder(seed: 57);
        var older = builder.Image(SampleFormat.Oci, [1024]);
        var newer = builder.Image(SampleFormat.Oci, [1100]);
        await h.PushAsync(Source, "late", older, "v1");
        await h.PushAsync(Source, "late", newer, "v1");
        await EcrArchiver.ArchiveAsync(h.Http, h.Server.BaseAddress, Source, "late", newer.Digest);

        var result = await h.Replicator().ReplicateAsync(Request("late", older.Digest, "v1", West), CancellationToken.None);

        var west = Assert.Single(result.Destinations);
        Assert.True(west.Succeeded, $"{west.Outcome} {west.ErrorCode}: {west.Message}");
        Assert.NotNull(await h.GetImageAsync(West, "late", older.Digest));
        Assert.Null(await h.TagDigestAsync(West, "late", "v1"));
    }
}
