using Replicator.Core.Copy;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Copy;

/// <summary>Each blob is downloaded once per request, however many destinations need it: proven by counting LocalEcr's calls.</summary>
public sealed class FanOutTests
{
    private const string Asia = "ap-northeast-1";

    // Two parts at ECR's 10 MiB part size, so shared parts and their order are exercised, plus the config blob.
    private static readonly long[] TwoParts = [12 * 1024 * 1024];

    [Fact]
    public async Task An_image_copied_to_three_destinations_downloads_each_blob_once()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 60).Image(SampleFormat.Oci, [.. TwoParts, 300_000]);
        await h.PushAsync(Source, "fan", image, "v1");
        h.Server.Calls.Reset();

        var replicator = h.Replicator();
        var result = await replicator.ReplicateAsync(Request("fan", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(0, replicator.Parts.Alive);
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "GetDownloadUrlForLayer"));
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        foreach (var region in new[] { West, Europe, Asia })
        {
            Assert.Equal(image.Digest, await h.TagDigestAsync(region, "fan", "v1"));
            Assert.Equal(image.Blobs.Count, h.Calls(region, "CompleteLayerUpload"));
            Assert.Equal(image.Blobs.Count + 1, h.Calls(region, "UploadLayerPart"));
        }

        Assert.All(result.Destinations, d => Assert.Equal(image.Blobs.Sum(b => b.Size), d.BytesCopied));
    }

    [Fact]
    public async Task A_destination_that_fails_mid_upload_does_not_stop_the_others_nor_cost_a_second_download()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 61).Image(SampleFormat.Oci, TwoParts);
        await h.PushAsync(Source, "fanfail", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1000, "AccessDeniedException", 400, region: Europe);
        h.Server.Calls.Reset();

        var replicator = h.Replicator();
        var result = await replicator.ReplicateAsync(Request("fanfail", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Equal("AccessDeniedException", europe.ErrorCode);
        Assert.All(result.Destinations.Where(d => d.Destination.Region != Europe), d => Assert.Equal(ReplicationOutcome.Replicated, d.Outcome));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fanfail", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Asia, "fanfail", "v1"));
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(0, h.Calls(Europe, "CompleteLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_lost_upload_session_restarts_the_layer_and_rereads_the_blob_for_that_destination_only()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 62).Image(SampleFormat.Oci, TwoParts);
        await h.PushAsync(Source, "fanrestart", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1, "UploadNotFoundException", 400, region: Europe);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("fanrestart", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count, h.Calls(Asia, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "GetDownloadUrlForLayer"));
    }

    [Fact]
    public async Task A_corrupted_download_is_read_again_once_for_every_destination_it_fed()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 63).Image(SampleFormat.Oci, [600_000]);
        var layer = image.Blobs.Single(b => b.Size == 600_000);
        await h.PushAsync(Source, "fancorrupt", image, "v1");
        h.Server.Faults.CorruptDownload(offset: 1234, digest: layer.Digest, count: 1);
        h.Server.Calls.Reset();

        var replicator = h.Replicator();
        var result = await replicator.ReplicateAsync(Request("fancorrupt", image.Digest, "v1", West, Europe), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_slow_destination_holds_the_download_back_so_a_blob_holds_a_few_parts_not_all()
    {
        await using var h = await StartAsync();

        // Five parts; Europe answers every part late, so an unbounded read-ahead would hold all five.
        var image = new SampleImageBuilder(seed: 64).Image(SampleFormat.Oci, [(4 * 10 * 1024 * 1024) + 300_000]);
        await h.PushAsync(Source, "fanslow", image, "v1");
        h.Server.Faults.DelayResponses("UploadLayerPart", TimeSpan.FromMilliseconds(150), region: Europe);
        h.Server.Calls.Reset();

        // A pool far larger than one blob needs, so only the per-destination queues can bound the parts. The
        // production read timeout: the download pauses while Europe catches up, which must not look like a stall.
        var options = FastOptions with { MaxParallelLayers = 16, BlobCopy = FastOptions.BlobCopy with { PartsInFlight = 1, ReadTimeout = new BlobCopyOptions().ReadTimeout } };
        var replicator = h.Replicator(options);
        var result = await replicator.ReplicateAsync(Request("fanslow", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(5 + 1, h.Calls(Europe, "UploadLayerPart"));
        // Europe's part on the wire, one in its queue, one being read; plus, for a moment, the part before the one on
        // the wire, which the HTTP stack may still hold until its body's last write returns (it can read the answer first).
        Assert.InRange(replicator.Parts.MaxAlive, 1, 1 + 2 + 1);
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task Blobs_in_parallel_share_the_engines_part_pool_and_stay_within_it()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 65).Image(SampleFormat.Oci, [12 * 1024 * 1024, 11 * 1024 * 1024, 6 * 1024 * 1024]);
        await h.PushAsync(Source, "fanpool", image, "v1");

        // Two blobs at once, one part read ahead: four parts for the whole engine, whatever the destinations.
        var options = FastOptions with { MaxParallelLayers = 2, BlobCopy = FastOptions.BlobCopy with { PartsInFlight = 1 } };
        var replicator = h.Replicator(options);
        var result = await replicator.ReplicateAsync(Request("fanpool", image.Digest, "v1", West, Europe, Asia), CancellationToken.None);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(4, replicator.Parts.Capacity);
        Assert.InRange(replicator.Parts.MaxAlive, 1, 4);
        Assert.InRange(replicator.Parts.Allocated, 1, 4);
        Assert.Equal(0, replicator.Parts.Alive);
    }
}
