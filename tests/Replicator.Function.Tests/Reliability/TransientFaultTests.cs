using LocalEcr;
using Microsoft.Extensions.Time.Testing;
using Replicator.Core.Ecr.Model;
using Replicator.Core.Replication;
using static Replicator.Function.Tests.Reliability.FunctionRig;

namespace Replicator.Function.Tests.Reliability;

/// <summary>
/// Faults a retry can get past, injected through LocalEcr while the function handles a batch with the real engine:
/// the batch ends with no failure reported, nothing dead-lettered, and the image verified in every destination.
/// </summary>
public sealed class TransientFaultTests
{
    /// <summary>Every ECR operation one replication makes (source reads and destination writes).</summary>
    private static readonly string[] Operations =
    [
        "BatchGetImage", "DescribeRepositories", "CreateRepository", "BatchCheckLayerAvailability", "DescribeImages",
        "GetDownloadUrlForLayer", "InitiateLayerUpload", "UploadLayerPart", "CompleteLayerUpload", "PutImage",
        "ListTagsForResource", "GetLifecyclePolicy", "GetRepositoryPolicy",
    ];

    [Theory]
    [InlineData("ThrottlingException", 400)]
    [InlineData("TooManyRequestsException", 429)]
    [InlineData("ServerException", 500)]
    [InlineData(null, 503)]
    public async Task A_storm_on_every_operation_is_ridden_out(string? code, int status)
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("storm", 1, "v1", 30_000, 40_000);

        // West has the repository (it checks layers), Europe has not (it reads the source settings and creates it).
        await rig.Client(West).CreateRepositoryAsync(new CreateRepositoryRequest { RepositoryName = "storm" });
        var probe = rig.Message("storm", image.Digest, "v1");
        rig.Server.Calls.Reset();
        foreach (var operation in Operations)
        {
            rig.Server.Faults.FailNext(operation, 3, code, status);
        }

        var response = await rig.ProcessAsync(probe);

        Assert.Empty(Failed(response));
        Assert.Empty(rig.DeadLetter.Sent);
        await rig.AssertReplicatedAsync("storm", image, "v1");
        foreach (var operation in Operations)
        {
            // Each operation answered its three injected failures and then at least one real answer.
            Assert.True(rig.Server.Calls.Count(operation) >= 4, $"{operation} was called {rig.Server.Calls.Count(operation)} times; " + string.Join(",", rig.Server.Calls.Snapshot().Select(kv => kv.Key + "=" + kv.Value)));
        }
    }

    [Fact]
    public async Task A_connection_cut_mid_download_resumes_and_completes()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("cut", 2, "v1", 3_000_000);
        var layer = image.Blobs.Single(b => b.Size == 3_000_000);
        rig.Server.Faults.CutDownloadAfter(1_000_000, layer.Digest, count: 2);
        rig.Server.Calls.Reset();

        var response = await rig.ProcessAsync(rig.Message("cut", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("cut", image, "v1");
        // Each blob is downloaded once for both destinations; the two cuts add two ranged GETs.
        Assert.True(rig.Server.Calls.Count(Source, "DownloadLayer") >= image.Blobs.Count + 2, "the cut downloads were resumed");
    }

    [Fact]
    public async Task A_stalled_download_times_out_and_the_layer_is_resumed()
    {
        // A second on the real clock: long enough that a busy machine's pauses (a GC, a starved thread) do not each
        // spend one of the copy's download resumes, short enough to keep the test quick.
        var options = FastOptions with { BlobCopy = FastOptions.BlobCopy with { ReadTimeout = TimeSpan.FromSeconds(1) } };
        await using var rig = await StartAsync(options);
        var image = await rig.PushAsync("stall", 3, "v1", 2_000_000);
        var layer = image.Blobs.Single(b => b.Size == 2_000_000);
        // The stall outlasts the test: only the read timeout can get the copy past it (no wall-clock assertion,
        // which a busy machine could break).
        rig.Server.Faults.StallDownloadAfter(500_000, TimeSpan.FromHours(1), layer.Digest);

        var response = await rig.ProcessAsync(rig.Message("stall", image.Digest, "v1")).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("stall", image, "v1");
    }

    [Fact]
    public async Task A_stalled_upload_times_out_and_the_stored_part_is_recognised_without_a_restart()
    {
        // The part is stored but its answer is held back past the client's timeout: the retried part no longer fits
        // (InvalidLayerPartException), and its lastValidByteReceived shows the part landed, so the upload goes on in
        // the same session instead of starting the layer again.
        // Both clocks are fake, so the timeout fires when the test says and nowhere else: LocalEcr holds the answer on
        // its clock (never advanced), and the client's clock is advanced past the timeout once the answer is held.
        // One destination and one blob at a time: the held part is then the engine's only call in flight when the
        // client's clock jumps, so no other call (an InitiateLayerUpload, a CompleteLayerUpload that committed) times
        // out with it and adds calls.
        var timeout = TimeSpan.FromSeconds(30);
        var serverClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var clientClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = FastOptions with { MaxParallelLayers = 1 };
        await using var rig = await StartAsync(options, timeout, server: new LocalEcrOptions { TimeProvider = serverClock }, clientClock: clientClock);
        var processor = rig.NewProcessor(rig.Replicator, Config with { Destinations = [new ReplicationDestination(West)] });
        var image = await rig.PushAsync("upstall", 4, "v1", 1_500_000);
        rig.Server.Faults.DelayResponses("UploadLayerPart", TimeSpan.FromHours(1), count: 1);
        rig.Server.Calls.Reset();

        var processing = ProcessAsync(processor, CancellationToken.None, rig.Message("upstall", image.Digest, "v1"));
        await rig.Server.Faults.TimersArmedAsync().WaitAsync(TimeSpan.FromMinutes(2));
        clientClock.Advance(timeout + TimeSpan.FromSeconds(1));
        var response = await processing.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Empty(Failed(response));
        Assert.True(await rig.HasVerifiedImageAsync(West, "upstall", image.Digest), $"{image.Digest} missing in {West}");
        Assert.Equal(image.Digest, await rig.TagDigestAsync(West, "upstall", "v1"));
        var uploads = rig.Server.Calls.Count("UploadLayerPart");
        Assert.True(uploads > image.Blobs.Count, $"the stalled part was sent again ({uploads} UploadLayerPart calls)");
        Assert.Equal(image.Blobs.Count, rig.Server.Calls.Count("InitiateLayerUpload"));
    }

    [Fact]
    public async Task A_corrupted_download_once_is_caught_and_the_layer_copied_again()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("flip", 5, "v1", 300_000);
        var layer = image.Blobs.Single(b => b.Size == 300_000);
        rig.Server.Faults.CorruptDownload(offset: 4321, digest: layer.Digest, count: 1);

        var response = await rig.ProcessAsync(rig.Message("flip", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("flip", image, "v1");
    }

    [Fact]
    public async Task An_upload_session_lost_mid_copy_restarts_the_layer()
    {
        var observer = new CallbackObserver();
        await using var rig = await StartAsync(observer: observer);
        var image = await rig.PushAsync("session", 6, "v1", 12 * 1024 * 1024);

        // After the big layer's first part (its upload is then surely open), not after the config blob's, which
        // may finish before the layer's upload is even initiated.
        observer.LayerDigest = image.Blobs.Single(b => b.Size == 12 * 1024 * 1024).Digest;
        observer.OnFirstBytes = _ => rig.Server.Faults.ForgetUploads();
        rig.Server.Calls.Reset();

        var response = await rig.ProcessAsync(rig.Message("session", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("session", image, "v1");
        Assert.True(rig.Server.Calls.Count("InitiateLayerUpload") > image.Blobs.Count * 2, "a forgotten session was started again");
    }

    [Fact]
    public async Task Download_urls_expired_mid_copy_are_replaced()
    {
        await using var rig = await StartAsync();
        var image = await rig.PushAsync("expire", 7, "v1", 3_000_000);
        var layer = image.Blobs.Single(b => b.Size == 3_000_000);

        // The URLs expire at the cut itself: the resume is then sure to hold an expired URL, whichever blob's
        // URL was asked for first (a hook on the first bytes copied raced the parallel downloads).
        rig.Server.Faults.CutDownloadAfter(1_000_000, layer.Digest, count: 1, expireUrls: true);
        rig.Server.Calls.Reset();

        var response = await rig.ProcessAsync(rig.Message("expire", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        await rig.AssertReplicatedAsync("expire", image, "v1");
        // One URL per blob for both destinations (fan-out); the expired one is asked for again.
        Assert.True(rig.Server.Calls.Count(Source, "GetDownloadUrlForLayer") > image.Blobs.Count, "an expired URL was replaced by a new one");
    }

    [Fact]
    public async Task A_connection_cut_mid_upload_is_retried_and_the_layer_completes()
    {
        await using var rig = await StartAsync(throughProxy: true);
        var image = await rig.PushAsync("upcut", 8, "v1", 3_000_000);
        rig.Server.Calls.Reset();

        // Only an UploadLayerPart body is over 1 MB: the connection is reset while the part is being sent.
        rig.Proxy!.CutNextAfter(1_000_000);
        var response = await rig.ProcessAsync(rig.Message("upcut", image.Digest, "v1"));

        Assert.Empty(Failed(response));
        Assert.Equal(1, rig.Proxy.Cuts);
        Assert.Equal("AmazonEC2ContainerRegistry_V20150921.UploadLayerPart", rig.Proxy.CutOperation);
        await rig.AssertReplicatedAsync("upcut", image, "v1");

        // The cut request never arrived whole, so LocalEcr never counted it: every part reached it exactly once, the
        // cut one through the retry.
        Assert.Equal(image.Blobs.Count * 2, rig.Server.Calls.Count("UploadLayerPart"));
    }
}
