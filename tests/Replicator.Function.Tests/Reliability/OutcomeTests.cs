using Replicator.Core.Ecr.Model;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// Faults no retry inside one invocation gets past: each ends in exactly one place — acknowledged (skipped),
/// dead-lettered with its reason, or reported failed for SQS to redeliver — and nothing half-copied is published.
/// </summary>
public sealed class OutcomeTests
{
    [Fact]
    public async Task An_immutable_tag_conflict_is_dead_lettered_with_its_reason_and_acknowledged()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("locked", 20, "v1", 30_000);
        await rig.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "locked", ImageTagMutability = ImageTagMutability.Immutable });
        var squatter = new Samples.SampleImageBuilder(21).Image(Samples.SampleFormat.Oci, [31_000]);
        await Samples.SampleImagePusher.PushAsync(rig.Client(West), "locked", squatter, "v1");
        var message = rig.Message("locked", image.Digest, "v1");

        var response = await rig.ProcessAsync(message);

        Assert.Empty(Failed(response));
        var dead = Assert.Single(rig.DeadLetter.Sent);
        Assert.Equal(ReplicationErrorCodes.ImmutableTagConflict, dead.ErrorType);
        Assert.Contains("'v1'", dead.Reason, StringComparison.Ordinal);
        Assert.Contains(West, dead.Reason, StringComparison.Ordinal);
        Assert.Equal(message.Body, dead.Body);
        Assert.Equal("locked", dead.MessageGroupId);
        Assert.Equal(squatter.Digest, await rig.TagDigestAsync(West, "locked", "v1"));
        Assert.Equal(image.Digest, await rig.TagDigestAsync(Europe, "locked", "v1"));
    }

    /// <summary>
    /// One destination refuses for good (an immutable tag at another digest) while the other fails transiently (its
    /// PutImage throttled past the retry budget, as it could be cut by the copy deadline): the record is retried, not
    /// dead-lettered, so the transient destination still gets the image from the queue; the redelivery replicates it
    /// there, finds the conflict again and only then dead-letters, naming the conflicting destination alone.
    /// </summary>
    [Fact]
    public async Task A_conflict_beside_a_transient_failure_is_retried_and_dead_lettered_once_only_the_conflict_is_left()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("split", 26, "v1", 30_000);
        await rig.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "split", ImageTagMutability = ImageTagMutability.Immutable });
        var squatter = new Samples.SampleImageBuilder(27).Image(Samples.SampleFormat.Oci, [31_000]);
        await Samples.SampleImagePusher.PushAsync(rig.Client(West), "split", squatter, "v1");
        rig.Server.Faults.FailNext("PutImage", 1000, "ThrottlingException", 400, region: Europe);
        var message = rig.Message("split", image.Digest, "v1");

        var first = await rig.ProcessAsync(message);

        Assert.Equal([message.MessageId!], Failed(first));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.False(await rig.HasVerifiedImageAsync(Europe, "split", image.Digest));

        rig.Server.Faults.Clear();
        var redelivery = await rig.ProcessAsync(message);

        Assert.Empty(Failed(redelivery));
        Assert.Equal(image.Digest, await rig.TagDigestAsync(Europe, "split", "v1"));
        Assert.True(await rig.HasVerifiedImageAsync(Europe, "split", image.Digest));
        var dead = Assert.Single(rig.DeadLetter.Sent);
        Assert.Equal(ReplicationErrorCodes.ImmutableTagConflict, dead.ErrorType);
        Assert.StartsWith($"{West}: {ReplicationErrorCodes.ImmutableTagConflict}: ", dead.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Europe, dead.Reason, StringComparison.Ordinal);
        Assert.Equal(message.Body, dead.Body);
        Assert.Equal(squatter.Digest, await rig.TagDigestAsync(West, "split", "v1"));
    }

    [Fact]
    public async Task A_source_image_deleted_before_its_event_is_acknowledged_as_skipped()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("gone", 22, "v1", 30_000);
        await rig.Client(Source).BatchDeleteImageAsync(new BatchDeleteImageRequest { RepositoryName = "gone", ImageIds = [new ImageIdentifier { ImageDigest = image.Digest }] });
        rig.Server.Calls.Reset();

        var response = await rig.ProcessAsync(rig.Message("gone", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.Equal(0, rig.Server.Calls.Snapshot().Where(kv => kv.Key.Region != Source).Sum(kv => kv.Value));
        Assert.Contains("\"outcome\":\"Skipped\"", rig.Output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blob_corrupted_on_every_download_is_never_published_and_the_record_is_retried()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("rot", 23, "v1", 200_000);
        var layer = image.Blobs.Single(b => b.Size == 200_000);
        rig.Server.Faults.CorruptDownload(offset: 100, digest: layer.Digest, count: 1000);
        var message = rig.Message("rot", image.Digest, "v1");

        var response = await rig.ProcessAsync(message);

        // A flipped byte may be the network's doing: transient, so SQS redelivers and its redrive policy ends it.
        Assert.Equal([message.MessageId!], Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.Contains("BlobDigestMismatch", rig.Output.ToString(), StringComparison.Ordinal);
        foreach (var region in new[] { West, Europe })
        {
            Assert.False(await rig.HasBlobAsync(region, "rot", layer.Digest));
            Assert.False(await rig.HasVerifiedImageAsync(region, "rot", image.Digest));
            Assert.Null(await rig.TagDigestAsync(region, "rot", "v1"));
        }
    }

    [Fact]
    public async Task A_blob_truncated_on_every_download_is_never_published_and_the_record_is_retried()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("short", 24, "v1", 200_000);
        var layer = image.Blobs.Single(b => b.Size == 200_000);
        // Every answer ends after 10 kB: resumes make progress but run out long before the 200 kB are in.
        rig.Server.Faults.CutDownloadAfter(10_000, layer.Digest, count: 1000);
        var message = rig.Message("short", image.Digest, "v1");

        var response = await rig.ProcessAsync(message);

        Assert.Equal([message.MessageId!], Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.Contains("BlobDownloadFailed", rig.Output.ToString(), StringComparison.Ordinal);
        foreach (var region in new[] { West, Europe })
        {
            Assert.False(await rig.HasBlobAsync(region, "short", layer.Digest));
            Assert.False(await rig.HasVerifiedImageAsync(region, "short", image.Digest));
        }
    }

    [Fact]
    public async Task The_destination_repository_deleted_mid_copy_is_retried_and_the_redelivery_recreates_it()
    {
        var observer = new CallbackObserver();
        await using var rig = await StartAsync(FastOptions with { MaxParallelLayers = 1 }, observer: observer);
        var image = await rig.PushAsync("vanish", 25, "v1", 3_000_000, 40_000);
        await rig.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "vanish" });
        await rig.Client(Europe).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "vanish" });
        // The copy waits for the deletion (the callback blocks), so the next call surely finds the repository gone. On
        // the thread pool: the callback may run on xunit's test context, whose few threads the awaits inside the
        // deletion would otherwise need while this one blocks them.
        observer.OnFirstBytes = destination => Task.Run(() => rig.DeleteRepositoryAsync(destination.Region, "vanish")).GetAwaiter().GetResult();
        var message = rig.Message("vanish", image.Digest, "v1");

        var first = await rig.ProcessAsync(message);

        Assert.Equal([message.MessageId!], Failed(first));
        Assert.Empty(rig.DeadLetter.Sent);
        Assert.Contains("RepositoryNotFoundException", rig.Output.ToString(), StringComparison.Ordinal);

        var redelivery = await rig.ProcessAsync(message);

        Assert.Empty(Failed(redelivery));
        await rig.AssertReplicatedAsync("vanish", image, "v1");
    }
}
