using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Errors;
using Replicator.Core.Replication;
using Replicator.Samples;
using static Replicator.Core.Tests.Replication.EngineHarness;

namespace Replicator.Core.Tests.Replication;

/// <summary>Faults injected through LocalEcr: the engine retries what can succeed and never publishes corrupt data.</summary>
public sealed class FaultTests
{
    private static readonly long[] TwoParts = [12 * 1024 * 1024];

    [Theory]
    [InlineData("UploadLayerPart", "ThrottlingException", 400)]
    [InlineData("BatchGetImage", "ThrottlingException", 400)]
    [InlineData("PutImage", null, 500)]
    [InlineData("InitiateLayerUpload", null, 503)]
    [InlineData("GetDownloadUrlForLayer", "ServerException", 500)]
    [InlineData("CompleteLayerUpload", "ThrottlingException", 400)]
    public async Task Transient_errors_are_retried_until_the_copy_succeeds(string operation, string? code, int status)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 30).Image(SampleFormat.Oci, TwoParts);
        await h.PushAsync(Source, "flaky", image, "v1");
        h.Server.Faults.FailNext(operation, 3, code, status);

        var result = await h.Replicator().ReplicateAsync(Request("flaky", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "flaky", "v1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_cut_mid_download_resumes_with_a_ranged_get(bool reset)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 31).Image(SampleFormat.Oci, TwoParts);
        var layer = image.Blobs.Single(b => b.Size == TwoParts[0]);
        await h.PushAsync(Source, "cut", image, "v1");
        h.Server.Faults.CutDownloadAfter(3 * 1024 * 1024, layer.Digest, reset: reset);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("cut", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.True(await h.HasBlobAsync(West, "cut", layer.Digest));
        Assert.Equal(image.Blobs.Count, h.Calls(West, "InitiateLayerUpload"));
        Assert.True(h.Server.Calls.Count(Source, "DownloadLayer") > image.Blobs.Count, "the cut layer was fetched again");
    }

    [Fact]
    public async Task A_stalled_download_times_out_and_resumes()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 32).Image(SampleFormat.Oci, [2 * 1024 * 1024]);
        var layer = image.Blobs.Single(b => b.Size == 2 * 1024 * 1024);
        await h.PushAsync(Source, "stall", image, "v1");
        // The stall outlasts the test: only the read timeout can get the copy past it.
        h.Server.Faults.StallDownloadAfter(1024 * 1024, TimeSpan.FromHours(1), layer.Digest);
        // A second on the real clock: long enough that a busy machine's pauses (a GC, a starved thread) do not each
        // spend one of the copy's download resumes, short enough to keep the test quick.
        var options = FastOptions with { BlobCopy = FastOptions.BlobCopy with { ReadTimeout = TimeSpan.FromSeconds(1) } };
        h.Server.Calls.Reset();

        var result = await h.Replicator(options).ReplicateAsync(Request("stall", image.Digest, "v1", West), CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.True(h.Server.Calls.Count(Source, "DownloadLayer") > image.Blobs.Count, "the stalled layer was fetched again");
        Assert.Equal(image.Blobs.Count, h.Calls(West, "InitiateLayerUpload"));
    }

    [Fact]
    public async Task A_corrupted_blob_is_never_published()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 33).Image(SampleFormat.Oci, [600_000]);
        var layer = image.Blobs.Single(b => b.Size == 600_000);
        await h.PushAsync(Source, "corrupt", image, "v1");
        h.Server.Faults.CorruptDownload(offset: 1234, digest: layer.Digest, count: 1000);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("corrupt", image.Digest, "v1", West), CancellationToken.None);

        var west = result.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.DigestMismatch, west.ErrorCode);
        Assert.False(await h.HasBlobAsync(West, "corrupt", layer.Digest));
        Assert.Null(await h.GetImageAsync(West, "corrupt", image.Digest));
        Assert.Equal(image.Blobs.Count - 1, h.Calls(West, "CompleteLayerUpload"));
        // The blobs that got through were uploaded: the Failed result (its log line and metrics) counts them.
        Assert.Equal(image.Blobs.Count - 1, west.LayersCopied);
        Assert.Equal(image.TotalBlobBytes - layer.Size, west.BytesCopied);
    }

    /// <summary>
    /// ECR may clean up layers no image references yet (the model's LayerInaccessibleException), such as those of a
    /// copy cut short before its PutImage: a PutImage refused for a missing layer or child is a transient failure of the
    /// destination, not a dead letter, and the next attempt checks again, uploads what is missing and puts the image.
    /// </summary>
    [Theory]
    [InlineData("LayersNotFoundException")]
    [InlineData("ReferencedImagesNotFoundException")]
    public async Task A_put_refused_for_something_the_destination_lost_is_transient_and_the_retry_completes(string errorCode)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 36).Image(SampleFormat.Oci, [300_000]);
        await h.PushAsync(Source, "lost", image, "v1");
        h.Server.Faults.FailNext("PutImage", 1, errorCode, 400, region: West);

        var first = await h.Replicator().ReplicateAsync(Request("lost", image.Digest, "v1", West), CancellationToken.None);
        var retry = await h.Replicator().ReplicateAsync(Request("lost", image.Digest, "v1", West), CancellationToken.None);

        var failed = Assert.Single(first.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, failed.Outcome);
        Assert.Equal(errorCode, failed.ErrorCode);
        Assert.True(failed.Transient);
        // Every blob went up before the refused put, and each is counted once.
        Assert.Equal(image.Blobs.Count, failed.LayersCopied);
        Assert.Equal(image.TotalBlobBytes, failed.BytesCopied);
        Assert.True(retry.Succeeded, retry.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "lost", "v1"));
    }

    [Fact]
    public async Task An_expired_upload_session_restarts_that_layer_only()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 34).Image(SampleFormat.Oci, TwoParts);
        await h.PushAsync(Source, "expired", image, "v1");
        h.Server.Faults.FailNext("UploadLayerPart", 1, "UploadNotFoundException", 400);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("expired", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(image.Blobs.Count + 1, h.Calls(West, "InitiateLayerUpload"));
    }

    [Fact]
    public async Task A_layer_the_destination_digests_otherwise_on_completion_restarts_that_layer_only()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 361).Image(SampleFormat.Oci, TwoParts);
        await h.PushAsync(Source, "invalid", image, "v1");
        h.Server.Faults.FailNext("CompleteLayerUpload", 1, "InvalidLayerException", 400, region: West);
        h.Server.Calls.Reset();

        var result = await h.Replicator().ReplicateAsync(Request("invalid", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.Equal(image.Blobs.Count + 1, h.Calls(West, "InitiateLayerUpload"));
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "invalid", "v1"));
    }

    /// <summary>
    /// A pull-through cache source whose upstream registry fails to serve the image or a layer: not retried as a call
    /// (one fault is enough to fail the copy), the destination failed transient so the message is redelivered, and
    /// the redelivery copies the image.
    /// </summary>
    [Theory]
    [InlineData("BatchGetImage", "UnableToGetUpstreamImageException")]
    [InlineData("GetDownloadUrlForLayer", "UnableToGetUpstreamLayerException")]
    public async Task A_pull_through_cache_upstream_that_fails_to_serve_the_source_is_redelivered_not_dead_lettered(string operation, string code)
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 371).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "ptc", image, "v1");
        h.Server.Faults.FailNext(operation, 1, code, 400, region: Source);

        var failed = await h.Replicator().ReplicateAsync(Request("ptc", image.Digest, "v1", West), CancellationToken.None);
        var redelivered = await h.Replicator().ReplicateAsync(Request("ptc", image.Digest, "v1", West), CancellationToken.None);

        var west = failed.Destinations[0];
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(code, west.ErrorCode);
        Assert.True(west.Transient, west.Message);
        Assert.True(failed.ShouldRetry);
        Assert.True(redelivered.Succeeded, redelivered.Destinations[0].Message);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "ptc", "v1"));
    }

    [Fact]
    public async Task An_expired_download_url_is_replaced()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 35).Image(SampleFormat.Oci, TwoParts);
        var layer = image.Blobs.Single(b => b.Size == TwoParts[0]);
        await h.PushAsync(Source, "url", image, "v1");

        // The URLs expire at the cut itself, so the resume surely holds an expired URL (a hook on the first bytes
        // copied raced the config blob's copy against the layer's URL request).
        h.Server.Faults.CutDownloadAfter(1024 * 1024, layer.Digest, expireUrls: true);

        var result = await h.Replicator().ReplicateAsync(Request("url", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(result.Succeeded, result.Destinations[0].Message);
        Assert.True(h.Server.Calls.Count(Source, "GetDownloadUrlForLayer") > image.Blobs.Count);
    }

    [Fact]
    public async Task A_deadline_mid_copy_fails_transiently_and_the_rerun_sends_only_what_is_missing()
    {
        // A layer's CompleteLayerUpload runs outside the copy slot, beside the next layer's copy, so when the third
        // layer starts moving the second's may still be on its way. Every CompleteLayerUpload answer is held on
        // LocalEcr's clock (the layer is stored before the answer is held), and the deadline fires at the third layer's
        // first bytes once two such answers are held: exactly the first two layers are in, whatever the machine's load.
        await using var h = await StartAsync(serverClock: new FakeTimeProvider(DateTimeOffset.UtcNow));
        var sizes = new long[] { 100_000, 100_000, 100_000, 100_000, 100_000, 100_000 };
        var image = new SampleImageBuilder(seed: 36).Image(SampleFormat.Oci, sizes);
        await h.PushAsync(Source, "deadline", image, "v1");
        var options = FastOptions with { MaxParallelLayers = 1 };
        using var deadline = new CancellationTokenSource();
        h.Server.Faults.DelayResponses("CompleteLayerUpload", TimeSpan.FromMinutes(10), region: West);

        var first = await h.Replicator(options, new CancelOnLayer(3, deadline, () => h.Server.Faults.TimersArmedAsync(2))).ReplicateAsync(Request("deadline", image.Digest, "v1", West), deadline.Token);

        Assert.Equal(ReplicationOutcome.Failed, first.Destinations[0].Outcome);
        Assert.Equal(ReplicationErrorCodes.DeadlineExceeded, first.Destinations[0].ErrorCode);
        Assert.True(first.Destinations[0].Transient);
        Assert.Null(await h.GetImageAsync(West, "deadline", image.Digest));
        var done = 0;
        foreach (var blob in image.Blobs)
        {
            done += await h.HasBlobAsync(West, "deadline", blob.Digest) ? 1 : 0;
        }

        Assert.Equal(2, done);
        h.Server.Faults.Clear();
        h.Server.Calls.Reset();

        var rerun = await h.Replicator(options).ReplicateAsync(Request("deadline", image.Digest, "v1", West), CancellationToken.None);

        Assert.True(rerun.Succeeded, rerun.Destinations[0].Message);
        Assert.Equal(image.Blobs.Count - done, h.Calls(West, "CompleteLayerUpload"));
        Assert.Equal(done, rerun.Destinations[0].LayersSkipped);
    }

    [Fact]
    public async Task One_failing_destination_does_not_stop_or_undo_the_others()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 37).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "partial", image, "v1");
        h.Server.Faults.FailNext("CreateRepository", 100, "AccessDeniedException", 400, region: Europe);

        var result = await h.Replicator().ReplicateAsync(Request("partial", image.Digest, "v1", West, Europe), CancellationToken.None);

        var west = result.Destinations.Single(d => d.Destination.Region == West);
        var europe = result.Destinations.Single(d => d.Destination.Region == Europe);
        Assert.Equal(ReplicationOutcome.Replicated, west.Outcome);
        Assert.Equal(ReplicationOutcome.Failed, europe.Outcome);
        Assert.Equal("AccessDeniedException", europe.ErrorCode);
        Assert.False(europe.AtSource);
        Assert.False(europe.Transient);
        Assert.False(result.ShouldRetry);
        Assert.Equal(image.Digest, await h.TagDigestAsync(West, "partial", "v1"));
    }

    [Fact]
    public async Task A_source_failure_is_marked_as_the_sources_on_every_destination()
    {
        await using var h = await StartAsync();
        var image = new SampleImageBuilder(seed: 38).Image(SampleFormat.Oci, [50_000]);
        await h.PushAsync(Source, "unreadable", image, "v1");
        h.Server.Faults.FailNext("BatchGetImage", 100, "AccessDeniedException", 400, region: Source);

        var result = await h.Replicator().ReplicateAsync(Request("unreadable", image.Digest, "v1", West, Europe), CancellationToken.None);

        // A destination's own failure is not (One_failing_destination_does_not_stop_or_undo_the_others).
        // Both destinations are answered for: with none, the All below would hold of nothing.
        Assert.Equal(new[] { West, Europe }.Order(StringComparer.Ordinal), result.Destinations.Select(d => d.Destination.Region).Order(StringComparer.Ordinal));
        Assert.All(result.Destinations, d => Assert.True(d.AtSource && d.ErrorCode == "AccessDeniedException", $"{d.Destination}: {d.ErrorCode} at source {d.AtSource}"));
    }

    [Fact]
    public async Task A_referrer_whose_subject_the_deadline_cut_short_is_reported_as_cut_by_the_deadline()
    {
        await using var h = await StartAsync();
        var builder = new SampleImageBuilder(seed: 37);
        var image = builder.Image(SampleFormat.Oci, [100_000, 100_000]);
        var sbom = builder.Artifact(image.Root);
        await h.PushAsync(Source, "cut", image, "v1");
        await h.PushAsync(Source, "cut", sbom, null);
        using var deadline = new CancellationTokenSource();

        // The referrer's event: its subject is copied first, and the deadline fires on the subject's first layer.
        var result = await h.Replicator(FastOptions with { MaxParallelLayers = 1 }, new CancelOnLayer(1, deadline)).ReplicateAsync(Request("cut", sbom.Digest, null, West), deadline.Token);

        var west = Assert.Single(result.Destinations);
        Assert.Equal(ReplicationOutcome.Failed, west.Outcome);
        Assert.Equal(ReplicationErrorCodes.DeadlineExceeded, west.ErrorCode);
        Assert.True(west.Transient);
        Assert.Contains($"waits for its subject {image.Digest}, which failed: DeadlineExceeded", west.Message, StringComparison.Ordinal);
        Assert.Null(await h.GetImageAsync(West, "cut", sbom.Digest));
        Assert.Null(await h.GetImageAsync(West, "cut", image.Digest));
    }

    /// <summary>
    /// Cancels when the <c>n</c>-th distinct layer reports its first bytes (layers run one at a time), once
    /// <paramref name="before"/> (when given) has completed: the layer's upload waits for it, so nothing of that layer
    /// goes further until the deadline has fired.
    /// </summary>
    private sealed class CancelOnLayer(int n, CancellationTokenSource deadline, Func<Task>? before = null) : IReplicationObserver
    {
        private readonly HashSet<string> _seen = [];

        public void BytesCopied(ReplicationDestination destination, string layerDigest, long bytes)
        {
            bool nth;
            lock (_seen)
            {
                nth = _seen.Add(layerDigest) && _seen.Count == n;
            }

            if (nth)
            {
                // Blocks the upload's own thread on purpose: the awaited work (LocalEcr's handling of earlier calls)
                // runs on others. Bounded, so a regression fails the test instead of hanging it.
                before?.Invoke().WaitAsync(TimeSpan.FromMinutes(1)).GetAwaiter().GetResult();
                deadline.Cancel();
            }
        }
    }
}
