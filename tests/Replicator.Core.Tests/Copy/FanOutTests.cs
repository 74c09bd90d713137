using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Copy;
using Replicator.Core.Ecr;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Core.Tests.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Copy;

/// <summary>Each blob is downloaded once per request, however many destinations need it: proven by counting LocalEcr's calls.</summary>
public sealed class FanOutTests
{
    private const string Asia = "ap-northeast-1";

    // Two parts at ECR's 10 MiB part size, so shared parts and their order are exercised, plus the config blob.
    private static readonly long[] TwoParts = [12 * 1024 * 1024];

    /// <summary>Bounds a wait that must end, so a regression fails the test instead of hanging it; never a timing.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task An_image_copied_to_three_destinations_downloads_each_blob_once()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 60).Image(SampleFormat.Oci, [.. TwoParts, 300_000]);
        await h.PushAsync(Source, "fan", image, "v1");
        h.Server.Calls.Reset();

        // The production grace on an engine clock that never moves: the destinations meet however slow the machine
        // is, so the count below shows no download beyond one per blob when no destination is degraded.
        var replicator = h.Replicator(FastOptions with { BlobCopy = FastOptions.BlobCopy with { FanOutGrace = new BlobCopyOptions().FanOutGrace } }, time: new FakeTimeProvider());
        var result = await replicator.ReplicateAsync(Request("fan", image.Digest, "v1", West, Europe, Asia), CancellationToken.None).WaitAsync(Bound);

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

        Assert.Equal(3, result.Destinations.Count);
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
        Assert.Equal(2, result.Destinations.Count(d => d.Destination.Region != Europe));
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

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Destinations_that_lose_their_sessions_in_one_download_restart_the_layer_with_one_download_for_all(bool aThirdKeepsItsSession)
    {
        await using var h = await StartAsync(wrap: inner => new LayerPartLost(inner, part: 2, West, Europe));
        // Four parts, one in each upload's queue (PartsInFlight 1): the download cannot hand out the last part before
        // West and Europe have taken their third, which each does only once its second has failed. So both are known to
        // have lost their sessions when the download ends, however the machine schedules them. Where Asia keeps its
        // session the download goes on to the end; without it, it stops with no upload left.
        var image = new SampleImageBuilder(seed: 72).Image(SampleFormat.Oci, [(3 * 10 * 1024 * 1024) + 300_000]);
        await h.PushAsync(Source, "fanrestarts", image, "v1");
        h.Server.Calls.Reset();

        // The production grace on an engine clock that never moves: no session is late, so no download but the
        // restart's is added, however slow the machine.
        var options = FastOptions with { BlobCopy = FastOptions.BlobCopy with { FanOutGrace = new BlobCopyOptions().FanOutGrace, PartsInFlight = 1 } };
        var replicator = h.Replicator(options, time: new FakeTimeProvider());
        string[] regions = aThirdKeepsItsSession ? [West, Europe, Asia] : [West, Europe];
        var result = await replicator.ReplicateAsync(Request("fanrestarts", image.Digest, "v1", regions), CancellationToken.None).WaitAsync(Bound);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(aThirdKeepsItsSession ? image.Blobs.Count : 0, h.Calls(Asia, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "GetDownloadUrlForLayer"));
        Assert.Equal(0, replicator.Parts.Alive);
        foreach (var region in regions)
        {
            Assert.Equal(image.Digest, await h.TagDigestAsync(region, "fanrestarts", "v1"));
        }
    }

    [Fact]
    public async Task A_destination_that_fails_for_good_is_told_at_once_while_a_sibling_still_sends_its_parts()
    {
        // West's first UploadLayerPart answer is held on LocalEcr's clock; every one of Europe's is denied. The engine's
        // clock never moves, so West never falls behind: only Europe's own outcome can end Europe.
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await StartAsync(serverClock: serverClock);
        var image = new SampleImageBuilder(seed: 71).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "fandenied", image, "v1");
        // Short of the 5 minutes LocalEcr lets a signature's time differ from its clock: West's calls signed after the
        // advance (its other blob's, its PutImage) are on the real clock, and a longer advance would refuse them.
        var held = TimeSpan.FromMinutes(1);
        h.Server.Faults.DelayResponses("UploadLayerPart", held, count: 1, region: West);
        h.Server.Faults.FailNext("UploadLayerPart", 1000, "AccessDeniedException", 400, region: Europe);
        var observer = new DoneObserver();
        var options = FastOptions with { BlobCopy = FastOptions.BlobCopy with { FanOutGrace = Timeout.InfiniteTimeSpan } };
        var replicator = h.Replicator(options, observer, new FakeTimeProvider());

        var replicating = replicator.ReplicateAsync(Request("fandenied", image.Digest, "v1", West, Europe), CancellationToken.None);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(Bound);

        // Europe is done (and failed for good, not restarted) while the download's other upload still has its part on
        // the wire: a failure a restart cannot help is not held until the slowest sibling has sent its parts.
        var europe = await observer.Done(Europe).WaitAsync(Bound);
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Equal("AccessDeniedException", europe.ErrorCode);
        Assert.False(observer.Done(West).IsCompleted);

        serverClock.Advance(held);
        var result = await replicating.WaitAsync(Bound);
        var west = result.Destinations.Single(d => d.Destination.Region == West);
        Assert.True(west.Outcome == ReplicationOutcome.Replicated, $"West: {west.Outcome}, {west.ErrorCode}: {west.Message}");
        Assert.Equal(image.Blobs.Count, h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
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
        // PartsInFlight + 3: Europe's part on the wire, its queue, one being read; plus, for a moment, the part before
        // the one on the wire, which the HTTP stack may still hold until its body's last write returns (it can read the
        // answer first).
        Assert.InRange(replicator.Parts.MaxAlive, 1, options.BlobCopy.PartsInFlight + 3);
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

    [Fact]
    public async Task A_destination_slow_to_read_its_state_does_not_hold_the_others_past_the_grace()
    {
        // Europe's first state read (DescribeImages) is held on LocalEcr's clock until the test moves it; the engine's
        // clock moves only when the test says, once West has arrived and the grace is set.
        var grace = TimeSpan.FromSeconds(7);
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engineClock = new GraceClock(grace);
        await using var h = await StartAsync(serverClock: serverClock);
        var image = new SampleImageBuilder(seed: 66).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "fanheldread", image, "v1");
        h.Server.Faults.DelayResponses("DescribeImages", TimeSpan.FromMinutes(1), count: 1, region: Europe);
        h.Server.Calls.Reset();
        var observer = new DoneObserver();
        var replicator = h.Replicator(FastOptions with { BlobCopy = FastOptions.BlobCopy with { FanOutGrace = grace } }, observer, engineClock);

        var replicating = replicator.ReplicateAsync(Request("fanheldread", image.Digest, "v1", West, Europe), CancellationToken.None);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(Bound);
        await engineClock.GraceSetAsync(1).WaitAsync(Bound);

        // West has arrived and waits out the grace (nothing is copied before it ends), then copies without Europe.
        Assert.False(observer.Done(West).IsCompleted);
        Assert.Equal(0, h.Calls(Source, "DownloadLayer"));
        engineClock.Advance(grace);
        var west = await observer.Done(West).WaitAsync(Bound);

        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fanheldread", "v1"));
        Assert.False(replicating.IsCompleted);
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(0, h.Calls(Europe, "InitiateLayerUpload"));

        // Released, Europe copies every blob on its own: one more download each.
        serverClock.Advance(TimeSpan.FromMinutes(1));
        var result = await replicating.WaitAsync(Bound);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "fanheldread", "v1"));
        Assert.Equal(2 * image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count, h.Calls(Europe, "CompleteLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_destination_slow_to_open_an_upload_session_does_not_hold_the_others_past_the_grace()
    {
        // Europe's first InitiateLayerUpload is held on LocalEcr's clock. One blob at a time, so the held session is the
        // first blob's and the grace timers set are, in order, the fan-out's (ended when Europe arrived) and that blob's.
        var grace = TimeSpan.FromSeconds(7);
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engineClock = new GraceClock(grace);
        await using var h = await StartAsync(serverClock: serverClock);
        var image = new SampleImageBuilder(seed: 67).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "fanheldopen", image, "v1");
        h.Server.Faults.DelayResponses("InitiateLayerUpload", TimeSpan.FromMinutes(1), count: 1, region: Europe);
        h.Server.Calls.Reset();
        var observer = new DoneObserver();
        var options = FastOptions with { MaxParallelLayers = 1, BlobCopy = FastOptions.BlobCopy with { FanOutGrace = grace } };
        var replicator = h.Replicator(options, observer, engineClock);

        var replicating = replicator.ReplicateAsync(Request("fanheldopen", image.Digest, "v1", West, Europe), CancellationToken.None);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(Bound);
        await engineClock.GraceSetAsync(2).WaitAsync(Bound);

        Assert.False(observer.Done(West).IsCompleted);
        Assert.Equal(0, h.Calls(Source, "DownloadLayer"));
        engineClock.Advance(grace);
        var west = await observer.Done(West).WaitAsync(Bound);

        // The first blob went to West alone, and its slot went back: the second was shared by both, as usual (one
        // download each so far). Europe's CompleteLayerUpload of the second may still be under way: West is told its
        // blob is in as soon as its own upload is complete, so Europe's count is read at the end.
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fanheldopen", "v1"));
        Assert.False(replicating.IsCompleted);
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));

        serverClock.Advance(TimeSpan.FromMinutes(1));
        var result = await replicating.WaitAsync(Bound);

        Assert.True(result.Succeeded, string.Join("; ", result.Destinations.Select(d => d.Message)));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "fanheldopen", "v1"));
        Assert.Equal(image.Blobs.Count + 1, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count, h.Calls(Europe, "InitiateLayerUpload"));
        Assert.Equal(image.Blobs.Count, h.Calls(Europe, "CompleteLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_destination_whose_parts_hang_falls_behind_and_the_others_publish_without_waiting_for_its_calls()
    {
        // Europe's first two UploadLayerPart answers are held on LocalEcr's clock and never released: the config's only
        // part and the layer's first (each upload sends its next part only after the answer). The layer's third part then
        // finds Europe's queue full (its second part waits there), and once West has sent the config, Europe's config
        // part is its last one unsent. The engine's clock moves past FallBehindTimeout only after each such wait is set.
        //
        // The layer's download stalls past its first part (on LocalEcr's clock) until Europe's layer call is held: a
        // wait for a full queue judges the others by the parts they took since it began, so a wait of West's begun
        // before Europe took its first part would see Europe keep up, and West fall behind, at the first advance.
        // Every such wait now begins with Europe stuck: its queues were empty for the first part, and the second
        // comes only after the release.
        var fallBehind = TimeSpan.FromSeconds(11);
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engineClock = new GraceClock(fallBehind);
        await using var h = await StartAsync(serverClock: serverClock);
        var image = new SampleImageBuilder(seed: 69).Image(SampleFormat.Oci, [25 * 1024 * 1024]);
        await h.PushAsync(Source, "fanhungpart", image, "v1");
        var layer = image.Blobs.Single(b => b.Size == 25 * 1024 * 1024);
        h.Server.Faults.DelayResponses("UploadLayerPart", TimeSpan.FromMinutes(10), count: 2, region: Europe);

        // Past the first 10 MiB part, short of the second's end; released long before Europe's held answers.
        var stall = TimeSpan.FromMinutes(1);
        h.Server.Faults.StallDownloadAfter(15 * 1024 * 1024, stall, layer.Digest);
        h.Server.Calls.Reset();
        var observer = new DoneObserver();
        var options = FastOptions with { MaxParallelLayers = 4, BlobCopy = FastOptions.BlobCopy with { FanOutGrace = Timeout.InfiniteTimeSpan, FallBehindTimeout = fallBehind } };
        var replicator = h.Replicator(options, observer, engineClock);

        var replicating = replicator.ReplicateAsync(Request("fanhungpart", image.Digest, "v1", West, Europe), CancellationToken.None);

        // The two held answers and the stall: Europe has taken the layer's first part (its call is held), and the
        // download has handed out nothing more. Only then does the layer's download go on.
        await h.Server.Faults.TimersArmedAsync(3).WaitAsync(Bound);
        serverClock.Advance(stall);

        // Each wait of FallBehindTimeout is passed as soon as it is set, until West is done. West's own waits, for a part
        // it has not taken yet while it sends the one before in real time, can pass many times over: they never make it
        // fall behind, since Europe, stuck since before any of them began (its call held, a part in its queue or none
        // taken since), does not keep up.
        var waits = 0;
        while (!observer.Done(West).IsCompleted)
        {
            var set = engineClock.GraceSetAsync(waits + 1);
            if (await Task.WhenAny(observer.Done(West), set).WaitAsync(Bound) == set)
            {
                waits++;
                engineClock.Advance(fallBehind);
            }
        }

        // West got the layer's last part and published both blobs and the image. Europe's held calls were cancelled, its
        // parts given back: the request ends without LocalEcr ever answering them.
        var result = await replicating.WaitAsync(Bound);
        var west = result.Destinations.Single(d => d.Destination.Region == West);
        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.True(west.Outcome == ReplicationOutcome.Replicated, $"West: {west.Outcome}, {west.ErrorCode}: {west.Message}");
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fanhungpart", "v1"));
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, europe.ErrorCode);
        Assert.True(europe.Transient);
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(0, h.Calls(Europe, "CompleteLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);

        // The held calls were Europe's only ones: cancelled, not answered, nor timed out by the client and sent again.
        Assert.Equal(2, h.Calls(Europe, "UploadLayerPart"));

        // Redelivered, Europe copies alone (West holds the image): one more download per blob.
        var again = await replicator.ReplicateAsync(Request("fanhungpart", image.Digest, "v1", West, Europe), CancellationToken.None).WaitAsync(Bound);

        Assert.True(again.Succeeded, string.Join("; ", again.Destinations.Select(d => d.Message)));
        Assert.Equal(ReplicationOutcome.UpToDate, again.Destinations.Single(d => d.Destination.Region == West).Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(Europe, "fanhungpart", "v1"));
        Assert.Equal(2 * image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_destination_whose_last_part_hangs_falls_behind_and_gives_the_copy_slot_to_the_next_blob()
    {
        // One blob at a time, each of one part: Europe's first UploadLayerPart answer is held on LocalEcr's clock and
        // never released. The download has ended and West has sent its part; Europe's is its last one unsent, and the
        // blob's copy slot is held until it is sent or falls behind. Only then can the second blob start.
        var fallBehind = TimeSpan.FromSeconds(11);
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var engineClock = new GraceClock(fallBehind);
        await using var h = await StartAsync(serverClock: serverClock);
        var image = new SampleImageBuilder(seed: 70).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "fanhungslot", image, "v1");
        h.Server.Faults.DelayResponses("UploadLayerPart", TimeSpan.FromMinutes(10), count: 1, region: Europe);
        h.Server.Calls.Reset();
        var observer = new DoneObserver();
        var options = FastOptions with { MaxParallelLayers = 1, BlobCopy = FastOptions.BlobCopy with { FanOutGrace = Timeout.InfiniteTimeSpan, FallBehindTimeout = fallBehind } };
        var replicator = h.Replicator(options, observer, engineClock);

        var replicating = replicator.ReplicateAsync(Request("fanhungslot", image.Digest, "v1", West, Europe), CancellationToken.None);
        await h.Server.Faults.TimersArmedAsync().WaitAsync(Bound);
        await engineClock.GraceSetAsync(1).WaitAsync(Bound);

        // West has sent the first blob's part; the second blob has not started: the slot is still the first blob's.
        Assert.Equal(1, h.Calls(Source, "DownloadLayer"));
        Assert.False(observer.Done(West).IsCompleted);
        engineClock.Advance(fallBehind);

        var result = await replicating.WaitAsync(Bound);
        Assert.Equal(ReplicationOutcome.Replicated, result.Destinations.Single(d => d.Destination.Region == West).Outcome);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fanhungslot", "v1"));
        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationErrorCodes.DestinationFellBehind, europe.ErrorCode);
        Assert.Equal(image.Blobs.Count, h.Calls(Source, "DownloadLayer"));
        Assert.Equal(image.Blobs.Count - 1, h.Calls(Europe, "CompleteLayerUpload"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    [Fact]
    public async Task A_destination_whose_client_cannot_be_made_fails_alone_and_the_others_replicate()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 68).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "fannoclient", image, "v1");
        var replicator = new ImageReplicator(h.Clients, h.Http, FastOptions, destinationClients: new RefusingDestinationClients(h, Europe));

        var result = await replicator.ReplicateAsync(Request("fannoclient", image.Digest, "v1", West, Europe, Asia), CancellationToken.None).WaitAsync(Bound);

        Assert.Equal(ReplicationOutcome.Failed, result.Destinations.Single(d => d.Destination.Region == Europe).Outcome);
        Assert.Equal(2, result.Destinations.Count(d => d.Destination.Region != Europe));
        Assert.All(result.Destinations.Where(d => d.Destination.Region != Europe), d => Assert.Equal(ReplicationOutcome.Replicated, d.Outcome));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "fannoclient", "v1"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(Asia, "fannoclient", "v1"));
        Assert.Equal(0, replicator.Parts.Alive);
    }

    /// <summary>A fake clock that tells when timers of the grace's length have been set: a test advances it only after.</summary>
    private sealed class GraceClock(TimeSpan grace) : FakeTimeProvider(DateTimeOffset.UtcNow)
    {
        private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
        private int _set;

        /// <summary>Completes once <paramref name="count"/> grace timers in all have been set.</summary>
        public Task GraceSetAsync(int count)
        {
            lock (_waiters)
            {
                if (_set >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
                return reached.Task;
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = base.CreateTimer(callback, state, dueTime, period);
            if (dueTime == grace)
            {
                lock (_waiters)
                {
                    _set++;
                    foreach (var waiter in _waiters.Where(w => w.Count <= _set).ToList())
                    {
                        _waiters.Remove(waiter);
                        waiter.Reached.SetResult();
                    }
                }
            }

            return timer;
        }
    }

    /// <summary>
    /// Answers <c>UploadNotFoundException</c>, as ECR does to a part of an upload session it no longer holds, in place of
    /// LocalEcr's answer to the <paramref name="part"/>th layer part (of over 1 MiB: a config's or a small layer's part
    /// never counts) sent into each of <paramref name="regions"/>, told apart by the signature's credential scope.
    /// </summary>
    private sealed class LayerPartLost(HttpMessageHandler inner, int part, params string[] regions) : DelegatingHandler(inner)
    {
        private readonly ConcurrentDictionary<string, int> _parts = new(StringComparer.Ordinal);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.TryGetValues("X-Amz-Target", out var targets) && targets.FirstOrDefault()?.EndsWith(".UploadLayerPart", StringComparison.Ordinal) == true
                && request.Content?.Headers.ContentLength > 1024 * 1024
                && request.Headers.TryGetValues("Authorization", out var signatures) && signatures.FirstOrDefault() is { } signature
                && regions.FirstOrDefault(r => signature.Contains($"/{r}/ecr/", StringComparison.Ordinal)) is { } region
                && _parts.AddOrUpdate(region, 1, static (_, n) => n + 1) == part)
            {
                return BeforeRequestHandler.Answer("""{"__type":"UploadNotFoundException","message":"The upload does not exist"}""", System.Net.HttpStatusCode.BadRequest)!;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>Tells when each destination is done, while the request still runs.</summary>
    private sealed class DoneObserver : IReplicationObserver
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource<DestinationResult>> _done = new(StringComparer.Ordinal);

        public Task<DestinationResult> Done(string region) => Of(region).Task;

        public void DestinationDone(DestinationResult result) => Of(result.Destination.Region).TrySetResult(result);

        private TaskCompletionSource<DestinationResult> Of(string region) =>
            _done.GetOrAdd(region, static _ => new TaskCompletionSource<DestinationResult>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
